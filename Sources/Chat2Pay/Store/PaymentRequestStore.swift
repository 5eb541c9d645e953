import Foundation
import Observability
public import Postgres
public import Purchases

/// The payment requests' rows (Migrations/0028_chat_2_pay.sql, and their functions in
/// Migrations/repeatable/07_chat2pay.sql): every step is one statement, one round trip, and a span in the trace of
/// the request that made it.
public struct PaymentRequestStore: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    /// A request to store, as `chat2pay.create_request` reads it: the requests row's columns by name.
    struct NewRequest: Encodable {
        let paymentLinkRef: UUID
        let body: PaymentRequestBody
        let tokenHash: String
        /// The link the message carries (never stored).
        let link: String
        let traceParent: String?

        enum CodingKeys: String, CodingKey {
            case paymentLinkRef = "payment_link_ref", clientId = "client_id", orderNumber = "order_number", channel
            case recipient, currency, subTotalAmount = "sub_total_amount", taxAmount = "tax_amount"
            case totalAmount = "total_amount", transactionType = "transaction_type", fundingSourceId = "funding_source_id"
            case returnPaymentLink = "return_payment_link", paymentReviewAutoReversal = "payment_review_auto_reversal"
            case productId = "product_id", targetIdentifier = "target_identifier", additionalData = "additional_data"
            case requestedAt = "requested_at", tokenHash = "token_hash", link, traceParent = "trace_parent"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(paymentLinkRef, forKey: .paymentLinkRef)
            try container.encode(body.clientId, forKey: .clientId)
            try container.encode(body.orderNumber, forKey: .orderNumber)
            try container.encode(body.channel.rawValue, forKey: .channel)
            try container.encodeIfPresent(body.to, forKey: .recipient)
            try container.encode(body.currency, forKey: .currency)
            try container.encode(body.subTotalAmount, forKey: .subTotalAmount)
            try container.encode(body.taxAmount, forKey: .taxAmount)
            try container.encode(body.totalAmount, forKey: .totalAmount)
            try container.encode(body.transactionType.rawValue, forKey: .transactionType)
            try container.encodeIfPresent(body.fundingSourceId, forKey: .fundingSourceId)
            try container.encode(body.returnPaymentLink, forKey: .returnPaymentLink)
            try container.encode(body.paymentReviewAutoReversal, forKey: .paymentReviewAutoReversal)
            try container.encodeIfPresent(body.productId, forKey: .productId)
            try container.encodeIfPresent(body.targetIdentifier, forKey: .targetIdentifier)
            try container.encode(body.additionalData, forKey: .additionalData)
            try container.encode(ISO8601DateFormatter().string(from: body.requestedAt), forKey: .requestedAt)
            try container.encode(tokenHash, forKey: .tokenHash)
            try container.encode(link, forKey: .link)
            try container.encodeIfPresent(traceParent, forKey: .traceParent)
        }
    }

    /// What a request is, as its creation answers it.
    struct Summary: Decodable, Sendable {
        let paymentLinkRef: UUID
        let statusId: Int
        let status: String
        let createdAt: String
        let returnPaymentLink: Bool
        let linkTtlSeconds: Int
        let pageTtlSeconds: Int

        enum CodingKeys: String, CodingKey {
            case paymentLinkRef = "payment_link_ref", statusId = "status_id", status, createdAt = "created_at"
            case returnPaymentLink = "return_payment_link", linkTtlSeconds = "link_ttl_seconds"
            case pageTtlSeconds = "page_ttl_seconds"
        }
    }

    /// What creating a request came to.
    enum Creation: Sendable {
        case created(Summary)
        /// The order number was taken by the same request: the original.
        case existing(Summary)
        /// The order number was taken by a different request.
        case conflict
        case refused(Refusal)
    }

    enum Refusal: String, Sendable {
        case notEnabled = "not_enabled", fundingSourceNotLinked = "funding_source_not_linked"
        case currencyNotServed = "currency_not_served", productNotFound = "product_not_found"
        case channelNotConfigured = "channel_not_configured", noTransactResultURL = "no_transact_result_url"
    }

    func create(_ request: NewRequest) async throws -> Creation {
        struct Outcome: Decodable {
            let outcome: String
        }
        let text = try await DatabaseSpan.measure("chat2pay.create_request") {
            try await database.query("""
                SELECT chat2pay.create_request(\(try PostgresJSON(request)))::text AS answer
                """).single().decode(String.self, "answer")
        }
        let data = Data(text.utf8)
        let outcome = try JSONDecoder().decode(Outcome.self, from: data).outcome
        switch outcome {
        case "created": return .created(try JSONDecoder().decode(Summary.self, from: data))
        case "existing": return .existing(try JSONDecoder().decode(Summary.self, from: data))
        case "conflict": return .conflict
        default:
            guard let refusal = Refusal(rawValue: outcome) else { throw PostgresError.decoding("unknown creation outcome \(outcome)") }
            return .refused(refusal)
        }
    }

    /// The request of `clientId` as JSON (API names, with its history); nil when there is none of this client's.
    func find(_ reference: UUID, clientId: Int64) async throws -> String? {
        try await DatabaseSpan.measure("chat2pay.find") {
            try await database.query("SELECT chat2pay.find(\(reference), \(clientId))::text AS request").single()
                .decode(String?.self, "request")
        }
    }

    /// A merchant's action on its request.
    enum Action: String, Sendable {
        case cancel, capture, reverse
    }

    /// What an action came to, and the request after it (JSON, API names) when there is one.
    struct ActionResult: Sendable {
        let outcome: String
        let request: String?
    }

    func act(_ action: Action, on reference: UUID, clientId: Int64, amount: Int64?) async throws -> ActionResult {
        let row = try await DatabaseSpan.measure("chat2pay.act") {
            try await database.query("""
                SELECT r->>'outcome' AS outcome, (r->'request')::text AS request
                FROM chat2pay.act(\(reference), \(clientId), \(action.rawValue), \(amount)) AS r
                """).single()
        }
        return ActionResult(outcome: try row.decode(String.self, "outcome"), request: try row.decode(String?.self, "request"))
    }

    /// What asking for a receipt came to: the receipt (JSON, API names) when there is one.
    struct ReceiptResult: Sendable {
        let outcome: String
        let receipt: String?
    }

    func sendReceipt(for reference: UUID, clientId: Int64, tokenHash: String, link: String) async throws -> ReceiptResult {
        let row = try await DatabaseSpan.measure("chat2pay.send_receipt") {
            try await database.query("""
                SELECT r->>'outcome' AS outcome, (r->'receipt')::text AS receipt
                FROM chat2pay.send_receipt(\(reference), \(clientId), \(tokenHash), \(link)) AS r
                """).single()
        }
        return ReceiptResult(outcome: try row.decode(String.self, "outcome"), receipt: try row.decode(String?.self, "receipt"))
    }

    /// The receipt of a token; nil: no such receipt.
    func receiptPage(tokenHash: String) async throws -> PageView? {
        try await DatabaseSpan.measure("chat2pay.receipt_page") {
            try await database.query("SELECT chat2pay.receipt_page(\(tokenHash))::text AS page").single()
                .decode(PostgresJSON<PageView>?.self, "page")?.value
        }
    }

    // MARK: The page

    /// The page of a token, opened (its window started if it was not); nil: no such token.
    func openPage(tokenHash: String) async throws -> PageView? {
        try await DatabaseSpan.measure("chat2pay.open_page") {
            try await database.query("SELECT chat2pay.open_page(\(tokenHash))::text AS page").single()
                .decode(PostgresJSON<PageView>?.self, "page")?.value
        }
    }

    /// A payment claimed by a submission of its page: what the bank's reserveFunds needs.
    struct PaymentClaim: Decodable, Sendable {
        let paymentLinkRef: UUID
        let orderNumber: String
        let clientId: Int64
        let fundingSourceId: Int64
        let currency: String
        let totalAmount: Int64
        let productId: Int64?
        let productType: String?
        let targetIdentifier: String?
        let recipient: String?
        let channel: String
        let traceParent: String?

        enum CodingKeys: String, CodingKey {
            case paymentLinkRef = "payment_link_ref", orderNumber = "order_number", clientId = "client_id"
            case fundingSourceId = "funding_source_id", currency, totalAmount = "total_amount", productId = "product_id"
            case productType = "product_type", targetIdentifier = "target_identifier", recipient, channel
            case traceParent = "trace_parent"
        }
    }

    enum Submission: Sendable {
        case claimed(PaymentClaim)
        /// Not payable now (paid, under way, expired, cancelled...): the page as it stands.
        case notPayable(PageView)
    }

    /// Claims the payment of a token's page, once; nil: no such token.
    func beginPayment(tokenHash: String) async throws -> Submission? {
        struct Answer: Decodable {
            let claimed: Bool
            let request: PaymentClaim?
            let page: PageView?
        }
        let answer = try await DatabaseSpan.measure("chat2pay.begin_payment") {
            try await database.query("SELECT chat2pay.begin_payment(\(tokenHash))::text AS answer").single()
                .decode(PostgresJSON<Answer>?.self, "answer")?.value
        }
        guard let answer else { return nil }
        if answer.claimed, let claim = answer.request { return .claimed(claim) }
        guard let page = answer.page else { throw PostgresError.decoding("begin_payment answered neither a claim nor a page") }
        return .notPayable(page)
    }

    /// Records the bank's answer to a payment's reserveFunds; the page as it then stands.
    func recordAuthorisation(
        _ reference: UUID, outcome: String, code: String?, message: String?, reserveFundsTxnRef: String?, cause: String
    ) async throws -> PageView {
        try await DatabaseSpan.measure("chat2pay.record_authorisation") {
            try await database.query("""
                SELECT chat2pay.record_authorisation(\(reference), \(outcome), \(code), \(message), \(reserveFundsTxnRef),
                                                     \(String(cause.prefix(300))))::text AS page
                """).single().decode(PostgresJSON<PageView>.self, "page").value
        }
    }

    // MARK: Background work

    /// Settles what time has settled (expiries, unanswered payments, authorisations past their window); how many.
    func settleDue(limit: Int, graceSeconds: Int) async throws -> Int {
        try await database.query("""
            SELECT chat2pay.settle_due(\(Int32(clamping: limit)), \(Int32(clamping: graceSeconds))) AS moved
            """).single().decode(Int.self, "moved")
    }

    /// A delivery owed, claimed under a lease: a bank's transactResult or a merchant's callback.
    struct DeliveryClaim: Sendable {
        enum Kind: String, Sendable {
            case bankResult = "bank_result", callback, purchase
        }

        let paymentLinkRef: UUID
        let kind: Kind
        let sequence: Int
        let leaseToken: UUID
        let clientId: Int64
        let fundingSourceId: Int64
        let body: String
        let attempt: Int
        /// The trace of the request that created the payment request.
        let traceParent: String?
    }

    func claimDeliveries(limit: Int, leaseSeconds: Int) async throws -> [DeliveryClaim] {
        try await database.query("""
            SELECT * FROM chat2pay.claim_deliveries(\(Int32(clamping: limit)), \(Int32(clamping: leaseSeconds)))
            """).map { row in
            guard let kind = DeliveryClaim.Kind(rawValue: try row.decode(String.self, "kind")) else {
                throw PostgresError.decoding("unknown delivery kind")
            }
            return DeliveryClaim(
                paymentLinkRef: try row.decode(UUID.self, "payment_link_ref"), kind: kind,
                sequence: try row.decode(Int.self, "sequence"), leaseToken: try row.decode(UUID.self, "lease_token"),
                clientId: try row.decode(Int64.self, "client_id"), fundingSourceId: try row.decode(Int64.self, "funding_source_id"),
                body: try row.decode(String.self, "body"), attempt: try row.decode(Int.self, "attempts"),
                traceParent: try row.decode(String?.self, "trace_parent"))
        }
    }

    /// What a delivery came to, as chat2pay.record_deliveries reads it.
    struct DeliveryReport: Encodable, Sendable {
        let paymentLinkRef: UUID
        let kind: String
        let sequence: Int
        let leaseToken: UUID
        let acknowledged: Bool
        let outcome: String
        /// A callback's retry policy (a bank result's is its funding source's).
        let retryDelayMs: Int
        let maxAttempts: Int

        init(_ claim: DeliveryClaim, acknowledged: Bool, outcome: String, retryDelayMs: Int, maxAttempts: Int) {
            paymentLinkRef = claim.paymentLinkRef
            kind = claim.kind.rawValue
            sequence = claim.sequence
            leaseToken = claim.leaseToken
            self.acknowledged = acknowledged
            self.outcome = outcome
            self.retryDelayMs = retryDelayMs
            self.maxAttempts = maxAttempts
        }

        enum CodingKeys: String, CodingKey {
            case paymentLinkRef = "payment_link_ref", kind, sequence, leaseToken = "lease_token", acknowledged, outcome
            case retryDelayMs = "retry_delay_ms", maxAttempts = "max_attempts"
        }
    }

    /// Records the purchase a captured request's product was bought with, or why none could be opened.
    func recordPurchase(_ reference: UUID, raasTxnRef: UUID?, refusal: String?) async throws {
        try await database.query("SELECT chat2pay.record_purchase(\(reference), \(raasTxnRef), \(refusal))")
    }

    func recordDeliveries(_ reports: [DeliveryReport]) async throws {
        guard !reports.isEmpty else { return }
        try await database.query("SELECT chat2pay.record_deliveries(\(try PostgresJSON(reports)))")
    }

    /// Every broken Chat 2 Pay invariant (`transact verify`); empty when sound.
    public func invariantViolations() async throws -> [String] {
        try await database.query("SELECT chat2pay.invariant_violations() AS problem").map { try $0.decode(String.self, "problem") }
    }
}

extension PaymentRequestStore {
    /// The holds a bank made for payment requests (`transact verify --bank-simulator`), checked against them: a hold
    /// of another amount than the request's total, a debit of one not captured, a release of one captured, a hold
    /// still in place once the bank acknowledged its result. Answers those problems, and the holds that are not
    /// payment requests' (the purchases').
    public func holdViolations(_ holds: [BankHold]) async throws -> (violations: [String], others: [BankHold]) {
        let rows = try await database.query("""
            SELECT h."raasTxnRef" AS reference, r.payment_link_ref IS NOT NULL AS ours,
                   CASE WHEN r.payment_link_ref IS NULL THEN NULL
                        WHEN h.amount <> r.total_amount THEN 'is not the request''s total ' || r.total_amount
                        WHEN h.state = 'debited' AND r.captured_amount IS NULL THEN 'is debited, but nothing was captured'
                        WHEN h.state = 'released' AND r.captured_amount IS NOT NULL THEN 'is released, but it was captured'
                        WHEN h.state = 'held' AND d.status = 'acknowledged' THEN 'is still held, though its result was acknowledged'
                   END AS problem, h.amount, h.state
            FROM jsonb_to_recordset(\(try PostgresJSON(holds))) AS h ("raasTxnRef" text, amount bigint, state text)
            LEFT JOIN chat2pay.requests r ON r.payment_link_ref::text = h."raasTxnRef"
            LEFT JOIN chat2pay.deliveries d ON d.payment_link_ref = r.payment_link_ref AND d.kind = 'bank_result'
            """)
        var violations: [String] = []
        var others: [BankHold] = []
        for row in rows {
            let reference = try row.decode(String.self, "reference")
            if try row.decode(Bool.self, "ours") {
                if let problem = try row.decode(String?.self, "problem") {
                    violations.append("bank hold for payment request \(reference) (\(try row.decode(String.self, "state"))) \(problem)")
                }
            } else {
                others.append(BankHold(raasTxnRef: reference, amount: try row.decode(Int64.self, "amount"), state: try row.decode(String.self, "state")))
            }
        }
        return (violations, others)
    }
}
