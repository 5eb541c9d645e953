import Foundation
import Yams

/// Reads and validates a seed file (YAML, or the same shape as JSON). Every refusal names the file, the entry
/// and the field.
public enum SeedReader {
    /// Files larger than this are refused unread.
    public static let maxFileBytes = 16 << 20
    static let maxEntries = 100_000

    static let urlPattern = "^https?://[^\\s]{1,2040}$"
    static let digits = "^[0-9]+$"
    static let identifierPattern = "^[A-Za-z0-9]{1,32}$"

    public static func read(fileAt path: String) throws(SeedError) -> SeedDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SeedError(file: path, entry: "", field: nil, reason: "cannot be read")
        }
        guard data.count <= maxFileBytes else {
            throw SeedError(file: path, entry: "", field: nil, reason: "is larger than \(maxFileBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SeedError(file: path, entry: "", field: nil, reason: "is not UTF-8 text")
        }
        return try read(text: text, file: (path as NSString).lastPathComponent)
    }

    public static func read(text: String, file: String) throws(SeedError) -> SeedDocument {
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            throw SeedError(file: file, entry: "", field: nil, reason: "is not valid YAML or JSON: \(error)")
        }
        var root = try SeedNode(file: file, entry: "", value: parsed ?? [String: Any]())
        var document = SeedDocument()
        document.countries = try root.entries("countries", file: file, label: "countryCode") { (node: inout SeedNode) throws(SeedError) in
            SeedDocument.Country(
                countryCode: try node.string("countryCode", maxLength: 2, pattern: "^[A-Z]{2}$"),
                countryName: try node.string("countryName", maxLength: 100),
                dialingPrefix: try node.string("dialingPrefix", maxLength: 4, pattern: digits))
        }
        document.mnoPrefixes = try root.entries("mnoPrefixes", file: file, label: "prefix") { (node: inout SeedNode) throws(SeedError) in
            SeedDocument.MNOPrefix(
                countryCallingCode: try node.string("countryCallingCode", maxLength: 4, pattern: digits),
                prefix: try node.string("prefix", maxLength: 10, pattern: digits),
                operatorCode: try node.string("operatorCode", maxLength: 32),
                operatorName: try node.string("operatorName", maxLength: 100))
        }
        document.productTypes = try root.entries("productTypes", file: file, label: "productTypeId") { (node: inout SeedNode) throws(SeedError) in
            SeedDocument.ProductType(
                productTypeId: try node.integer("productTypeId", 1...2_147_483_647),
                productTypeName: try node.string("productTypeName", maxLength: 64))
        }
        document.vendors = try root.entries("vendors", file: file, label: "vendorId") { (node: inout SeedNode) throws(SeedError) in
            let adapter = try node.choice("adapter", ["simulated", "http"])
            let url = try node.optionalString("url", maxLength: 2_048, pattern: urlPattern)
            if adapter == "http" && url == nil { throw node.error("url", "is required for the http adapter") }
            let (signatureRequired, signatureSecret) = try node.signature()
            return SeedDocument.Vendor(
                vendorId: try node.integer("vendorId", 1...999_999_999_999),
                name: try node.string("name", maxLength: 100),
                adapter: adapter,
                url: url,
                auth: try node.outboundAuth(),
                signatureRequired: signatureRequired,
                signatureSecret: signatureSecret,
                vendTimeoutMs: try node.optionalInteger("vendTimeoutMs", 100...120_000) ?? 5_000,
                maxAttempts: try node.optionalInteger("maxAttempts", 1...20) ?? 3,
                floatAccount: try node.openingBalance("floatAccount"),
                active: try node.bool("active", default: true))
        }
        document.products = try root.entries("products", file: file, label: "productId") { (node: inout SeedNode) throws(SeedError) in
            let fixed = try node.optionalInteger("fixedAmount", 1...999_999_999_999)
            let minimum = try node.optionalInteger("minAmount", 1...999_999_999_999)
            let maximum = try node.optionalInteger("maxAmount", 1...999_999_999_999)
            let increment = try node.optionalInteger("increment", 1...999_999_999_999)
            let pricing: SeedDocument.Pricing
            switch (fixed, minimum, maximum, increment) {
            case (let fixed?, nil, nil, nil):
                pricing = .fixed(fixed)
            case (nil, let minimum?, let maximum?, let increment?) where minimum <= maximum:
                pricing = .range(min: minimum, max: maximum, increment: increment)
            default:
                throw node.error("fixedAmount", "give either fixedAmount, or minAmount ≤ maxAmount with increment")
            }
            return SeedDocument.Product(
                productId: try node.integer("productId", 1...999_999_999_999),
                productTypeId: try node.integer("productTypeId", 1...2_147_483_647),
                vendorId: try node.integer("vendorId", 1...999_999_999_999),
                description: try node.string("description", maxLength: 200),
                shortDescription: try node.string("shortDescription", maxLength: 64),
                currencyCode: try node.string("currencyCode", maxLength: 3, pattern: "^[A-Z]{3}$"),
                pricing: pricing,
                targetIdentifierKind: try node.choice("targetIdentifierKind", ["msisdn", "account"]),
                supportsToken: try node.bool("supportsToken", default: false),
                supportsAccountValidation: try node.bool("supportsAccountValidation", default: false),
                active: try node.bool("active", default: true),
                channels: try node.integerList("channels", 1...99))
        }
        document.fundingSources = try root.entries("fundingSources", file: file, label: "fundingSourceId") { (node: inout SeedNode) throws(SeedError) in
            let adapter = try node.choice("adapter", ["simulated", "http"])
            let reserveFundsUrl = try node.optionalString("reserveFundsUrl", maxLength: 2_048, pattern: urlPattern)
            let transactResultUrl = try node.optionalString("transactResultUrl", maxLength: 2_048, pattern: urlPattern)
            if adapter == "http" && reserveFundsUrl == nil { throw node.error("reserveFundsUrl", "is required for the http adapter") }
            if adapter == "http" && transactResultUrl == nil { throw node.error("transactResultUrl", "is required for the http adapter") }
            let (signatureRequired, signatureSecret) = try node.signature()
            return SeedDocument.FundingSource(
                fundingSourceId: try node.integer("fundingSourceId", 1...999_999_999_999),
                name: try node.string("name", maxLength: 100),
                adapter: adapter,
                reserveFundsUrl: reserveFundsUrl,
                transactResultUrl: transactResultUrl,
                statusLookupUrl: try node.optionalString("statusLookupUrl", maxLength: 2_048, pattern: urlPattern),
                auth: try node.outboundAuth(),
                signatureRequired: signatureRequired,
                signatureSecret: signatureSecret,
                reservationTimeoutMs: try node.optionalInteger("reservationTimeoutMs", 100...120_000) ?? 12_000,
                initialRetryDelayMs: try node.optionalInteger("initialRetryDelayMs", 0...86_400_000) ?? 1_000,
                retryDelayMs: try node.optionalInteger("retryDelayMs", 1_000...86_400_000) ?? 300_000,
                maxRetries: try node.optionalInteger("maxRetries", 0...10_000) ?? 100,
                confirmationWindowSeconds: try node.optionalInteger("confirmationWindowSeconds", 60...31_536_000) ?? 604_800)
        }
        document.clients = try root.entries("clients", file: file, label: "clientId") { (node: inout SeedNode) throws(SeedError) in
            let role = try node.choice("role", ["client", "vendor", "support", "admin"])
            let vendorId = try node.optionalInteger("vendorId", 1...999_999_999_999)
            if role == "vendor" && vendorId == nil { throw node.error("vendorId", "is required for role vendor") }
            if role != "vendor" && vendorId != nil { throw node.error("vendorId", "is only for role vendor") }
            let (signatureRequired, signatureSecret) = try node.signature()
            var limits = try node.child("notificationLimits")
            let daily = try limits?.optionalInteger("daily", 0...100_000_000)
            let monthly = try limits?.optionalInteger("monthly", 0...1_000_000_000)
            try limits?.done()
            let fundingSources = try node.integerList("fundingSources", 1...999_999_999_999) ?? []
            let defaultFundingSourceId = try node.optionalInteger("defaultFundingSourceId", 1...999_999_999_999)
            if let defaultFundingSourceId, !fundingSources.contains(defaultFundingSourceId) {
                throw node.error("defaultFundingSourceId", "must be one of the client's fundingSources")
            }
            let clientName = try node.string("name", maxLength: 100)
            return SeedDocument.Client(
                clientId: try node.integer("clientId", 1...99_999),
                name: clientName,
                role: role,
                status: try node.choice("status", ["active", "disabled"], default: "active"),
                clientSecret: try node.optionalString("clientSecret", maxLength: 256),
                apiKey: try node.optionalString("apiKey", maxLength: 256),
                signatureRequired: signatureRequired,
                signatureSecret: signatureSecret,
                vendorId: vendorId,
                fundingSources: fundingSources,
                defaultFundingSourceId: defaultFundingSourceId,
                products: try node.integerList("products", 1...999_999_999_999) ?? [],
                transactResultUrl: try node.optionalString("transactResultUrl", maxLength: 2_048, pattern: urlPattern),
                rateLimitPerSecond: try node.optionalInteger("rateLimitPerSecond", 1...100_000) ?? 100,
                notificationChannels: try node.integerList("notificationChannels", 1...99) ?? [],
                notificationCallbackUrl: try node.optionalString("notificationCallbackUrl", maxLength: 2_048, pattern: urlPattern),
                notificationDailyLimit: daily,
                notificationMonthlyLimit: monthly,
                messagePrices: try node.integerMap("messagePrices", keyPattern: "^[0-9]{1,2}$", 0...999_999_999_999),
                messagingCredit: try node.openingBalance("messagingCredit"),
                autoNotifyTokens: try node.bool("autoNotifyTokens", default: false),
                chat2Pay: try node.chat2Pay("chat2Pay", defaultName: clientName))
        }
        document.financialTerms = try root.entries("financialTerms", file: file, label: "productId") { (node: inout SeedNode) throws(SeedError) in
            let feeMin = try node.optionalInteger("feeMin", 0...999_999_999_999)
            let feeMax = try node.optionalInteger("feeMax", 0...999_999_999_999)
            if let feeMin, let feeMax, feeMin > feeMax { throw node.error("feeMin", "is greater than feeMax") }
            return SeedDocument.FinancialTerms(
                clientId: try node.integer("clientId", 1...99_999),
                productId: try node.integer("productId", 1...999_999_999_999),
                effectiveFrom: try node.optionalString(
                    "effectiveFrom", maxLength: 32, pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2}))?$"),
                feeFixed: try node.optionalInteger("feeFixed", 0...999_999_999_999) ?? 0,
                feeBps: try node.optionalInteger("feeBps", 0...10_000) ?? 0,
                feeMin: feeMin,
                feeMax: feeMax,
                clientShareBps: try node.optionalInteger("clientShareBps", 0...10_000) ?? 0,
                vendorShareBps: try node.optionalInteger("vendorShareBps", 0...10_000) ?? 0)
        }
        document.blacklist = try root.entries("blacklist", file: file, label: "sourceIdentifier") { (node: inout SeedNode) throws(SeedError) in
            try node.string("sourceIdentifier", maxLength: 32, pattern: identifierPattern)
        }
        document.integrations = try root.entries("integrations", file: file, label: "integrationId") { (node: inout SeedNode) throws(SeedError) in
            let channels = try node.choiceList("channels", ["sms", "whatsapp"]) ?? ["sms"]
            guard !channels.isEmpty else { throw node.error("channels", "must name at least one channel") }
            return SeedDocument.Integration(
                integrationId: try node.integer("integrationId", 1...999_999_999_999),
                clientId: try node.integer("clientId", 1...99_999),
                name: try node.string("name", maxLength: 100),
                // The key is the integration's whole credential: as long as a generated one at least.
                apiKey: try node.string("apiKey", maxLength: 256, pattern: "^[\\x21-\\x7e]{32,256}$"),
                channels: channels.map { $0 == "sms" ? 6 : 8 },
                statusCallbackUrl: try node.optionalString("statusCallbackUrl", maxLength: 2_048, pattern: urlPattern),
                replyCallbackUrl: try node.optionalString("replyCallbackUrl", maxLength: 2_048, pattern: urlPattern),
                status: try node.choice("status", ["active", "disabled"], default: "active"))
        }
        try root.done()
        return document
    }
}

extension SeedNode {
    /// Reads a list of mappings under `key`; each entry is named by its position and its id for errors.
    mutating func entries<T>(
        _ key: String, file: String, label: String, _ read: (inout SeedNode) throws(SeedError) -> T
    ) throws(SeedError) -> [T] {
        guard let list = try rawList(key) else { return [] }
        guard list.count <= SeedReader.maxEntries else { throw error(key, "has more than \(SeedReader.maxEntries) entries") }
        var values: [T] = []
        for (index, item) in list.enumerated() {
            let identity = (item as? [String: Any])?[label].map { " (\(label) \($0))" } ?? ""
            var node = try SeedNode(file: file, entry: "\(key)[\(index)]\(identity)", value: item)
            values.append(try read(&node))
            try node.done()
        }
        return values
    }

    mutating func outboundAuth() throws(SeedError) -> SeedDocument.OutboundAuth {
        guard var auth = try child("auth") else { return .none }
        let type = try auth.choice("type", ["none", "basic", "bearer"])
        let result: SeedDocument.OutboundAuth
        switch type {
        case "basic":
            result = .basic(
                username: try auth.string("username", maxLength: 256), password: try auth.string("password", maxLength: 256))
        case "bearer":
            result = .bearer(token: try auth.string("token", maxLength: 4_096))
        default:
            result = .none
        }
        try auth.done()
        return result
    }

    /// `signatureRequired` and `signatureSecret`, which must come together.
    mutating func signature() throws(SeedError) -> (required: Bool, secret: String?) {
        let secret = try optionalString("signatureSecret", maxLength: 256)
        let required = try bool("signatureRequired", default: false)
        if required && secret == nil { throw error("signatureSecret", "is required when signatureRequired is true") }
        return (required, secret)
    }

    /// A client's `chat2Pay` settings; the merchant's name is the client's unless given.
    mutating func chat2Pay(_ key: String, defaultName: String) throws(SeedError) -> SeedDocument.Chat2Pay? {
        guard var node = try child(key) else { return nil }
        let settings = SeedDocument.Chat2Pay(
            merchantName: try node.optionalString("merchantName", maxLength: 100) ?? defaultName,
            callbackUrl: try node.optionalString("callbackUrl", maxLength: 2_048, pattern: SeedReader.urlPattern),
            linkTtlSeconds: try node.optionalInteger("linkTtlSeconds", 30...604_800) ?? 300,
            pageTtlSeconds: try node.optionalInteger("pageTtlSeconds", 30...86_400) ?? 900)
        try node.done()
        return settings
    }

    mutating func openingBalance(_ key: String) throws(SeedError) -> SeedDocument.OpeningBalance? {
        guard var node = try child(key) else { return nil }
        let balance = SeedDocument.OpeningBalance(
            currencyCode: try node.string("currencyCode", maxLength: 3, pattern: "^[A-Z]{3}$"),
            openingBalance: try node.integer("openingBalance", 0...999_999_999_999_999))
        try node.done()
        return balance
    }
}
