import Foundation
import Ledger
public import Postgres
public import SecurityService
public import TransactCrypto

/// Loads a seed document into the database in one transaction: every row matched by its id and updated, nothing
/// duplicated, nothing half-loaded. Client secrets are hashed (kept unchanged when the file repeats the stored
/// secret, so a re-load does not revoke tokens), API keys stored as SHA-256, outbound credentials and Signature
/// secrets sealed under the master key. Vendor floats and messaging credit become ledger accounts with their
/// opening balances, booked once.
public struct SeedLoader: Sendable {
    private let database: PostgresClient
    private let sealer: SecretSealer
    private let secretHashing: Scrypt
    private let ledger = Ledger()

    public init(database: PostgresClient, sealer: SecretSealer, secretHashing: Scrypt = .interactive) {
        self.database = database
        self.sealer = sealer
        self.secretHashing = secretHashing
    }

    /// Credentials generated for clients the file gave none; they are shown once and never stored in clear.
    public struct GeneratedCredentials: Sendable, Equatable {
        public let clientId: Int64
        public let clientSecret: String?
        public let apiKey: String?
    }

    public func load(_ document: SeedDocument, file: String) async throws -> [GeneratedCredentials] {
        try await database.withTransaction { session in
            let writer = Writer(session: session, sealer: sealer, secretHashing: secretHashing, ledger: ledger, file: file)
            return try await writer.write(document)
        }
    }
}

/// The statements of one load, on one transaction's session.
private struct Writer {
    let session: PostgresSession
    let sealer: SecretSealer
    let secretHashing: Scrypt
    let ledger: Ledger
    let file: String

    func write(_ document: SeedDocument) async throws -> [SeedLoader.GeneratedCredentials] {
        for (index, country) in document.countries.enumerated() {
            try await entry("countries[\(index)] (countryCode \(country.countryCode))") {
                try await session.query("""
                    INSERT INTO catalogue.countries (country_code, country_name, dialing_prefix)
                    VALUES (\(country.countryCode), \(country.countryName), \(country.dialingPrefix))
                    ON CONFLICT (country_code) DO UPDATE
                    SET country_name = EXCLUDED.country_name, dialing_prefix = EXCLUDED.dialing_prefix
                    """)
            }
        }
        for (index, prefix) in document.mnoPrefixes.enumerated() {
            try await entry("mnoPrefixes[\(index)] (prefix \(prefix.prefix))") {
                try await session.query("""
                    INSERT INTO catalogue.mno_prefixes (country_calling_code, prefix, operator_code, operator_name)
                    VALUES (\(prefix.countryCallingCode), \(prefix.prefix), \(prefix.operatorCode), \(prefix.operatorName))
                    ON CONFLICT (country_calling_code, prefix) DO UPDATE
                    SET operator_code = EXCLUDED.operator_code, operator_name = EXCLUDED.operator_name
                    """)
            }
        }
        for (index, type) in document.productTypes.enumerated() {
            try await entry("productTypes[\(index)] (productTypeId \(type.productTypeId))") {
                try await session.query("""
                    INSERT INTO catalogue.product_types (product_type_id, product_type_name)
                    VALUES (\(type.productTypeId), \(type.productTypeName))
                    ON CONFLICT (product_type_id) DO UPDATE SET product_type_name = EXCLUDED.product_type_name
                    """)
            }
        }
        for (index, vendor) in document.vendors.enumerated() {
            try await entry("vendors[\(index)] (vendorId \(vendor.vendorId))") { try await write(vendor) }
        }
        for (index, product) in document.products.enumerated() {
            try await entry("products[\(index)] (productId \(product.productId))") { try await write(product) }
        }
        for (index, source) in document.fundingSources.enumerated() {
            try await entry("fundingSources[\(index)] (fundingSourceId \(source.fundingSourceId))") { try await write(source) }
        }
        var generated: [SeedLoader.GeneratedCredentials] = []
        for (index, client) in document.clients.enumerated() {
            try await entry("clients[\(index)] (clientId \(client.clientId))") {
                if let credentials = try await write(client) { generated.append(credentials) }
            }
        }
        for (index, terms) in document.financialTerms.enumerated() {
            try await entry("financialTerms[\(index)] (clientId \(terms.clientId), productId \(terms.productId))") {
                try await session.query("""
                    INSERT INTO catalogue.financial_terms (client_id, product_id, effective_from, fee_fixed, fee_bps,
                        fee_min, fee_max, client_share_bps, vendor_share_bps)
                    VALUES (\(terms.clientId), \(terms.productId),
                        coalesce(\(terms.effectiveFrom)::timestamptz, '1970-01-01T00:00:00Z'), \(terms.feeFixed),
                        \(terms.feeBps), \(terms.feeMin), \(terms.feeMax), \(terms.clientShareBps), \(terms.vendorShareBps))
                    ON CONFLICT (client_id, product_id, effective_from) DO UPDATE
                    SET fee_fixed = EXCLUDED.fee_fixed, fee_bps = EXCLUDED.fee_bps, fee_min = EXCLUDED.fee_min,
                        fee_max = EXCLUDED.fee_max, client_share_bps = EXCLUDED.client_share_bps,
                        vendor_share_bps = EXCLUDED.vendor_share_bps
                    """)
            }
        }
        for (index, integration) in document.integrations.enumerated() {
            try await entry("integrations[\(index)] (integrationId \(integration.integrationId))") {
                try await session.query("""
                    INSERT INTO notifications.integrations (integration_id, client_id, name, api_key_hash, channels,
                        status_callback_url, reply_callback_url, status)
                    VALUES (\(integration.integrationId), \(integration.clientId), \(integration.name),
                        \(APIKey.hash(integration.apiKey)), \(integration.channels)::integer[], \(integration.statusCallbackUrl),
                        \(integration.replyCallbackUrl), \(integration.status))
                    ON CONFLICT (integration_id) DO UPDATE SET
                        client_id = EXCLUDED.client_id, name = EXCLUDED.name, api_key_hash = EXCLUDED.api_key_hash,
                        channels = EXCLUDED.channels, status_callback_url = EXCLUDED.status_callback_url,
                        reply_callback_url = EXCLUDED.reply_callback_url, status = EXCLUDED.status, updated_at = now()
                    """)
            }
        }
        for (index, identifier) in document.blacklist.enumerated() {
            try await entry("blacklist[\(index)] (sourceIdentifier \(identifier))") {
                try await session.query("""
                    INSERT INTO catalogue.blacklist (source_identifier) VALUES (\(identifier)) ON CONFLICT DO NOTHING
                    """)
            }
        }
        return generated
    }

    /// Runs one entry's statements; a database refusal becomes a `SeedError` naming the entry.
    private func entry(_ name: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SeedError {
            throw error
        } catch let error as PostgresError where error.serverError != nil {
            let server = error.serverError!
            throw SeedError(file: file, entry: name, field: server.columnName, reason: server.detail ?? server.message)
        } catch let error as LedgerError {
            throw SeedError(file: file, entry: name, field: nil, reason: error.description)
        }
    }

    private func sealed(_ secret: String?, purpose: String) throws -> String? {
        try secret.map { try sealer.seal($0, purpose: purpose) }
    }

    private func authColumns(_ auth: SeedDocument.OutboundAuth, purpose: String) throws -> (type: String, username: String?, secret: String?) {
        switch auth {
        case .none: ("none", nil, nil)
        case .basic(let username, let password): ("basic", username, try sealed(password, purpose: purpose))
        case .bearer(let token): ("bearer", nil, try sealed(token, purpose: purpose))
        }
    }

    private func write(_ vendor: SeedDocument.Vendor) async throws {
        let auth = try authColumns(vendor.auth, purpose: "vendor:\(vendor.vendorId):auth")
        let signature = try sealed(vendor.signatureSecret, purpose: "vendor:\(vendor.vendorId):signature")
        var floatAccountCode: String?
        if let float = vendor.floatAccount {
            // The float is money prepaid to the vendor: an asset of ours that vends consume and may never overdraw.
            let code = "vendor:\(vendor.vendorId):float:\(float.currencyCode)"
            try await openAccount(
                AccountSpecification(code: code, currency: float.currencyCode, kind: .asset, creditsMustNotExceedDebits: true),
                openingBalance: float.openingBalance, debitOpening: true, field: "floatAccount.openingBalance")
            floatAccountCode = code
        }
        try await session.query("""
            INSERT INTO catalogue.vendors (vendor_id, name, adapter, url, auth_type, auth_username, auth_secret_sealed,
                signature_required, signature_secret_sealed, vend_timeout_ms, max_attempts, float_currency,
                float_account_code, active)
            VALUES (\(vendor.vendorId), \(vendor.name), \(vendor.adapter), \(vendor.url), \(auth.type), \(auth.username),
                \(auth.secret), \(vendor.signatureRequired), \(signature), \(Int32(vendor.vendTimeoutMs)),
                \(Int32(vendor.maxAttempts)), \(vendor.floatAccount?.currencyCode), \(floatAccountCode), \(vendor.active))
            ON CONFLICT (vendor_id) DO UPDATE SET
                name = EXCLUDED.name, adapter = EXCLUDED.adapter, url = EXCLUDED.url, auth_type = EXCLUDED.auth_type,
                auth_username = EXCLUDED.auth_username, auth_secret_sealed = EXCLUDED.auth_secret_sealed,
                signature_required = EXCLUDED.signature_required, signature_secret_sealed = EXCLUDED.signature_secret_sealed,
                vend_timeout_ms = EXCLUDED.vend_timeout_ms, max_attempts = EXCLUDED.max_attempts,
                float_currency = EXCLUDED.float_currency, float_account_code = EXCLUDED.float_account_code,
                active = EXCLUDED.active, updated_at = now()
            """)
    }

    private func write(_ product: SeedDocument.Product) async throws {
        var fixed: Int64?, minimum: Int64?, maximum: Int64?, increment: Int64?
        switch product.pricing {
        case .fixed(let amount): fixed = amount
        case .range(let low, let high, let step): (minimum, maximum, increment) = (low, high, step)
        }
        try await session.query("""
            INSERT INTO catalogue.products (product_id, product_type_id, vendor_id, description, short_description,
                currency_code, fixed_amount, min_amount, max_amount, amount_increment, target_identifier_kind,
                supports_token, supports_account_validation, active, channels)
            VALUES (\(product.productId), \(Int32(product.productTypeId)), \(product.vendorId), \(product.description),
                \(product.shortDescription), \(product.currencyCode), \(fixed), \(minimum), \(maximum), \(increment),
                \(product.targetIdentifierKind), \(product.supportsToken), \(product.supportsAccountValidation),
                \(product.active), \(product.channels)::integer[])
            ON CONFLICT (product_id) DO UPDATE SET
                product_type_id = EXCLUDED.product_type_id, vendor_id = EXCLUDED.vendor_id,
                description = EXCLUDED.description, short_description = EXCLUDED.short_description,
                currency_code = EXCLUDED.currency_code, fixed_amount = EXCLUDED.fixed_amount,
                min_amount = EXCLUDED.min_amount, max_amount = EXCLUDED.max_amount,
                amount_increment = EXCLUDED.amount_increment, target_identifier_kind = EXCLUDED.target_identifier_kind,
                supports_token = EXCLUDED.supports_token, supports_account_validation = EXCLUDED.supports_account_validation,
                active = EXCLUDED.active, channels = EXCLUDED.channels, updated_at = now()
            """)
    }

    private func write(_ source: SeedDocument.FundingSource) async throws {
        let auth = try authColumns(source.auth, purpose: "funding-source:\(source.fundingSourceId):auth")
        let signature = try sealed(source.signatureSecret, purpose: "funding-source:\(source.fundingSourceId):signature")
        try await session.query("""
            INSERT INTO catalogue.funding_sources (funding_source_id, name, adapter, reserve_funds_url,
                transact_result_url, status_lookup_url, auth_type, auth_username, auth_secret_sealed, signature_required,
                signature_secret_sealed, reservation_timeout_ms, initial_retry_delay_ms, retry_delay_ms, max_retries,
                confirmation_window_seconds)
            VALUES (\(source.fundingSourceId), \(source.name), \(source.adapter), \(source.reserveFundsUrl),
                \(source.transactResultUrl), \(source.statusLookupUrl), \(auth.type), \(auth.username), \(auth.secret),
                \(source.signatureRequired), \(signature), \(Int32(source.reservationTimeoutMs)),
                \(Int32(source.initialRetryDelayMs)), \(Int32(source.retryDelayMs)), \(Int32(source.maxRetries)),
                \(Int32(source.confirmationWindowSeconds)))
            ON CONFLICT (funding_source_id) DO UPDATE SET
                name = EXCLUDED.name, adapter = EXCLUDED.adapter, reserve_funds_url = EXCLUDED.reserve_funds_url,
                transact_result_url = EXCLUDED.transact_result_url, status_lookup_url = EXCLUDED.status_lookup_url,
                auth_type = EXCLUDED.auth_type, auth_username = EXCLUDED.auth_username,
                auth_secret_sealed = EXCLUDED.auth_secret_sealed, signature_required = EXCLUDED.signature_required,
                signature_secret_sealed = EXCLUDED.signature_secret_sealed,
                reservation_timeout_ms = EXCLUDED.reservation_timeout_ms,
                initial_retry_delay_ms = EXCLUDED.initial_retry_delay_ms, retry_delay_ms = EXCLUDED.retry_delay_ms,
                max_retries = EXCLUDED.max_retries, confirmation_window_seconds = EXCLUDED.confirmation_window_seconds,
                updated_at = now()
            """)
    }

    /// Writes a client; returns the credentials generated for it, if any.
    private func write(_ client: SeedDocument.Client) async throws -> SeedLoader.GeneratedCredentials? {
        let stored = try await session.query("""
            SELECT secret_hash, api_key_hash FROM catalogue.clients WHERE client_id = \(client.clientId) FOR UPDATE
            """).first
        let storedSecretHash = try stored?.decode(String.self, "secret_hash")
        let storedAPIKeyHash = try stored?.decode(String.self, "api_key_hash")

        // The secret: unchanged when the file repeats it (a rotation would revoke every token), new when it differs,
        // generated when neither the file nor the database has one.
        var generatedSecret: String?
        let secretHash: String
        let secretChanged: Bool
        switch (client.clientSecret, storedSecretHash) {
        case (let secret?, let hash?) where await ClientSecretHash.verifyOffloaded(secret: secret, against: hash):
            (secretHash, secretChanged) = (hash, false)
        case (let secret?, _):
            (secretHash, secretChanged) = (try await ClientSecretHash.makeOffloaded(secret: secret, parameters: secretHashing), true)
        case (nil, let hash?):
            (secretHash, secretChanged) = (hash, false)
        case (nil, nil):
            let secret = APIKey.generateSecret()
            generatedSecret = secret
            (secretHash, secretChanged) = (try await ClientSecretHash.makeOffloaded(secret: secret, parameters: secretHashing), true)
        }
        var generatedAPIKey: String?
        let apiKeyHash: String
        if let key = client.apiKey {
            apiKeyHash = APIKey.hash(key)
        } else if let hash = storedAPIKeyHash {
            apiKeyHash = hash
        } else {
            let key = APIKey.generate()
            generatedAPIKey = key
            apiKeyHash = APIKey.hash(key)
        }

        var messagingAccountCode: String?
        if let credit = client.messagingCredit {
            // Prepaid messaging credit is owed to the client until spent, and is never overdrawn.
            let code = "client:\(client.clientId):messaging-credit:\(credit.currencyCode)"
            try await openAccount(
                AccountSpecification(code: code, currency: credit.currencyCode, kind: .liability, debitsMustNotExceedCredits: true),
                openingBalance: credit.openingBalance, debitOpening: false, field: "messagingCredit.openingBalance")
            messagingAccountCode = code
        }
        let signature = try sealed(client.signatureSecret, purpose: "client:\(client.clientId):signature")
        let prices = try PostgresJSON(client.messagePrices)
        try await session.query("""
            INSERT INTO catalogue.clients (client_id, name, role, status, secret_hash, secret_rotated_at, api_key_hash,
                signature_required, signature_secret_sealed, vendor_id, transact_result_url, rate_limit_per_second,
                notification_channels, notification_callback_url, notification_daily_limit, notification_monthly_limit,
                message_prices, messaging_currency, messaging_account_code, auto_notify_tokens, default_funding_source_id)
            VALUES (\(client.clientId), \(client.name), \(client.role), \(client.status), \(secretHash), now(),
                \(apiKeyHash), \(client.signatureRequired), \(signature), \(client.vendorId), \(client.transactResultUrl),
                \(Int32(client.rateLimitPerSecond)), \(client.notificationChannels)::integer[],
                \(client.notificationCallbackUrl), \(client.notificationDailyLimit.map { Int32($0) }),
                \(client.notificationMonthlyLimit.map { Int32($0) }), \(prices), \(client.messagingCredit?.currencyCode),
                \(messagingAccountCode), \(client.autoNotifyTokens), \(client.defaultFundingSourceId))
            ON CONFLICT (client_id) DO UPDATE SET
                name = EXCLUDED.name, role = EXCLUDED.role, status = EXCLUDED.status, secret_hash = EXCLUDED.secret_hash,
                secret_rotated_at = CASE WHEN \(secretChanged) THEN now() ELSE catalogue.clients.secret_rotated_at END,
                api_key_hash = EXCLUDED.api_key_hash, signature_required = EXCLUDED.signature_required,
                signature_secret_sealed = EXCLUDED.signature_secret_sealed, vendor_id = EXCLUDED.vendor_id,
                transact_result_url = EXCLUDED.transact_result_url, rate_limit_per_second = EXCLUDED.rate_limit_per_second,
                notification_channels = EXCLUDED.notification_channels,
                notification_callback_url = EXCLUDED.notification_callback_url,
                notification_daily_limit = EXCLUDED.notification_daily_limit,
                notification_monthly_limit = EXCLUDED.notification_monthly_limit,
                message_prices = EXCLUDED.message_prices, messaging_currency = EXCLUDED.messaging_currency,
                messaging_account_code = EXCLUDED.messaging_account_code,
                auto_notify_tokens = EXCLUDED.auto_notify_tokens,
                default_funding_source_id = EXCLUDED.default_funding_source_id, updated_at = now()
            """)
        if let chat2Pay = client.chat2Pay {
            // A client that no longer lists chat2Pay keeps its row: its payment requests refer to it.
            try await session.query("""
                INSERT INTO chat2pay.merchants (client_id, merchant_name, callback_url, link_ttl_seconds, page_ttl_seconds)
                VALUES (\(client.clientId), \(chat2Pay.merchantName), \(chat2Pay.callbackUrl), \(Int32(chat2Pay.linkTtlSeconds)),
                        \(Int32(chat2Pay.pageTtlSeconds)))
                ON CONFLICT (client_id) DO UPDATE SET
                    merchant_name = EXCLUDED.merchant_name, callback_url = EXCLUDED.callback_url,
                    link_ttl_seconds = EXCLUDED.link_ttl_seconds, page_ttl_seconds = EXCLUDED.page_ttl_seconds, updated_at = now()
                """)
        }
        // The links are exactly the lists in the file.
        try await session.query("""
            DELETE FROM catalogue.client_funding_sources
            WHERE client_id = \(client.clientId) AND funding_source_id <> ALL (\(client.fundingSources))
            """)
        try await session.query("""
            INSERT INTO catalogue.client_funding_sources (client_id, funding_source_id)
            SELECT \(client.clientId), unnest(\(client.fundingSources)) ON CONFLICT DO NOTHING
            """)
        try await session.query("""
            DELETE FROM catalogue.client_products
            WHERE client_id = \(client.clientId) AND product_id <> ALL (\(client.products))
            """)
        try await session.query("""
            INSERT INTO catalogue.client_products (client_id, product_id)
            SELECT \(client.clientId), unnest(\(client.products)) ON CONFLICT DO NOTHING
            """)
        guard generatedSecret != nil || generatedAPIKey != nil else { return nil }
        return SeedLoader.GeneratedCredentials(clientId: client.clientId, clientSecret: generatedSecret, apiKey: generatedAPIKey)
    }

    /// Opens a ledger account and books its opening balance once, against the currency's opening-balance equity.
    private func openAccount(_ account: AccountSpecification, openingBalance: Int64, debitOpening: Bool, field: String) async throws {
        let equity = "equity:opening-balances:\(account.currency)"
        try await ledger.createAccount(AccountSpecification(code: equity, currency: account.currency, kind: .equity), on: session)
        try await ledger.createAccount(account, on: session)
        guard openingBalance > 0 else { return }
        let postings = debitOpening
            ? Posting.move(openingBalance, debit: account.code, credit: equity)
            : Posting.move(openingBalance, debit: equity, credit: account.code)
        do {
            try await ledger.createTransfer(
                TransferRequest(
                    id: UUID(stableFrom: "seed:opening-balance:\(account.code)"), phase: .single, postings: postings,
                    description: "opening balance"),
                on: session)
        } catch LedgerError.conflictingReplay {
            throw SeedError(
                file: file, entry: "", field: field,
                reason: "the opening balance of \(account.code) was booked already with another amount; "
                    + "opening balances do not change: book an adjustment instead")
        }
    }
}
