/// The body of `POST /reserveAndTransact/4.0` and `POST /transact/4.0` (API.md §3.1, §3.2), validated field by
/// field in the table's order; the first field that breaks a rule is the one reported.
public struct PurchaseRequest: Sendable, Equatable {
    public enum Flow: Sendable {
        /// The service reserves the funds: `reserveFundsTxnRef` must be absent.
        case reserveAndTransact
        /// The client reserved them: `reserveFundsTxnRef` is mandatory.
        case transact
    }

    public let clientId: Int64
    public let clientTxnRef: String
    public let channelId: Int64
    public let channelName: String
    public let channelSessionId: String
    public let productId: Int64
    public let purchaseAmount: Int64
    /// Absent is not a format error: it is refused with 2055 "No feeAmount provided" by the business checks.
    public let feeAmount: Int64?
    public let currencyCode: String
    public let fundingSourceId: Int64
    public let sourceIdentifier: String
    public let targetIdentifier: String
    public let accountIdentifier: String?
    /// The buyer's PIN or OTP: forwarded to the bank, never logged, never stored in clear.
    public let authCode: String?
    public let timestamp: String
    public let lookupReference: String?
    public let additionalData: [String: String]?
    public let reserveFundsTxnRef: String?

    public init(body: JSONRequestBody, flow: Flow) throws(FormatError) {
        clientId = try body.requiredInteger("clientId", maxDigits: 5)
        clientTxnRef = try body.requiredString("clientTxnRef", length: 1...64)
        channelId = try body.requiredInteger("channelId", maxDigits: 2)
        guard (1...99).contains(channelId) else { throw FormatError("channelId", "must be between 1 and 99") }
        channelName = try body.requiredString("channelName", length: 1...64)
        channelSessionId = try body.requiredString("channelSessionId", length: 1...64, alphanumeric: true)
        productId = try body.requiredInteger("productId", maxDigits: 12)
        // `amount` is accepted as an alias; when both are given they must agree.
        let purchase = try body.integer("purchaseAmount", maxDigits: 12)
        let alias = try body.integer("amount", maxDigits: 12)
        if let purchase, let alias, purchase != alias { throw FormatError("purchaseAmount", "must equal amount when both are given") }
        guard let amount = purchase ?? alias else { throw FormatError("purchaseAmount", "must not be null") }
        guard amount > 0 else { throw FormatError("purchaseAmount", "must be greater than 0") }
        purchaseAmount = amount
        feeAmount = try body.integer("feeAmount", maxDigits: 12)
        currencyCode = try body.requiredString("currencyCode", length: 3...3)
        guard currencyCode.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw FormatError("currencyCode", "must be an ISO 4217 code of 3 capital letters")
        }
        fundingSourceId = try body.requiredInteger("fundingSourceId", maxDigits: 12)
        sourceIdentifier = try body.requiredString("sourceIdentifier", length: 1...32, alphanumeric: true)
        targetIdentifier = try body.requiredString("targetIdentifier", length: 1...32, alphanumeric: true)
        accountIdentifier = try body.string("accountIdentifier", length: 1...64)
        authCode = try body.string("authCode", length: 1...64)
        timestamp = try body.requiredString("timestamp", length: 1...32)
        _ = try FieldRules.timestamp(timestamp, field: "timestamp")
        lookupReference = try body.string("lookupReference", length: 1...64)
        additionalData = try body.stringMap("additionalData", maxPairs: 20, maxLength: 256)
        switch flow {
        case .reserveAndTransact:
            guard !body.contains("reserveFundsTxnRef") else {
                throw FormatError("reserveFundsTxnRef", "Reserve Funds transaction Reference was not expected")
            }
            reserveFundsTxnRef = nil
        case .transact:
            guard body.contains("reserveFundsTxnRef") else {
                throw FormatError("reserveFundsTxnRef", "Reserve Funds transaction Reference is mandatory")
            }
            reserveFundsTxnRef = try body.requiredString("reserveFundsTxnRef", length: 1...64)
        }
    }

    /// The parsed request in one canonical text, for recognising a repeat with the same content (API.md §3.3).
    /// The auth code is excluded: it may change between retries of one purchase and must never be stored.
    public var canonicalForm: String {
        let additional = (additionalData ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let parts: [String] = [
            "clientId=\(clientId)", "clientTxnRef=\(clientTxnRef)", "channelId=\(channelId)", "channelName=\(channelName)",
            "channelSessionId=\(channelSessionId)", "productId=\(productId)", "purchaseAmount=\(purchaseAmount)",
            "feeAmount=\(feeAmount.map(String.init) ?? "")", "currencyCode=\(currencyCode)", "fundingSourceId=\(fundingSourceId)",
            "sourceIdentifier=\(sourceIdentifier)", "targetIdentifier=\(targetIdentifier)",
            "accountIdentifier=\(accountIdentifier ?? "")", "timestamp=\(timestamp)", "lookupReference=\(lookupReference ?? "")",
            "additionalData=\(additional)", "reserveFundsTxnRef=\(reserveFundsTxnRef ?? "")",
        ]
        // Each value is length-prefixed so that no choice of values can make two requests read alike.
        return parts.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
    }
}
