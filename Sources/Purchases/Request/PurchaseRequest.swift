public import TransactCore
/// The body of a purchase (API.md §3.1, §3.2 and the older versions of §3.2a), validated field by field in the
/// table's order; the first field that breaks a rule is the one reported, in Clickatell's words (§0.2).
///
/// A version may lack a field that v4 requires: then the value here is nil and the catalogue supplies it when the
/// purchase is decided (`PurchaseDecision`). A later version's field sent to an earlier version is read by the
/// same rules and honoured (decided here: an integration part-way through an upgrade loses nothing).
public struct PurchaseRequest: Sendable, Equatable {
    public enum Flow: Sendable {
        /// The service reserves the funds: `reserveFundsTxnRef` must be absent.
        case reserveAndTransact
        /// The client reserved them: `reserveFundsTxnRef` is mandatory.
        case transact
    }

    public let version: PurchaseVersion
    public let flow: Flow
    public let clientId: Int64
    public let clientTxnRef: String
    public let channelId: Int64
    public let channelName: String
    public let channelSessionId: String
    public let productId: Int64
    public let purchaseAmount: Int64
    /// Absent: from v3 refused with 2055 "No feeAmount provided" by the business checks; before v3 the terms' fee.
    public let feeAmount: Int64?
    /// Absent only before v4: the product's currency.
    public let currencyCode: String?
    /// Absent only before v4: the client's default funding source.
    public let fundingSourceId: Int64?
    public let sourceIdentifier: String
    public let targetIdentifier: String
    /// An empty or blank one counts as absent (API.md §0.2).
    public let accountIdentifier: String?
    /// The buyer's PIN or OTP: forwarded to the bank, never logged, never stored in clear.
    public let authCode: String?
    public let timestamp: String
    public let lookupReference: String?
    public let additionalData: [String: String]?
    public let reserveFundsTxnRef: String?

    public static let currencyMandatory = FormatError(field: "currencyCode", message: "Currency Code is mandatory")
    public static let currencyInvalid = FormatError(field: "currencyCode", message: "Currency Code is invalid")
    public static let fundingSourceMandatory = FormatError(field: "fundingSourceId", message: "Funding Source ID is mandatory")
    public static let reserveFundsTxnRefNotExpected = FormatError(
        field: "reserveFundsTxnRef", message: "Reserve Funds transaction Reference was not expected")
    public static let reserveFundsTxnRefMandatory = FormatError(
        field: "reserveFundsTxnRef", message: "Reserve Funds transaction Reference is mandatory")

    public init(body: JSONRequestBody, flow: Flow, version: PurchaseVersion = .v4) throws(FormatError) {
        self.version = version
        self.flow = flow
        clientId = try body.requiredInteger("clientId", .digits(5))
        clientTxnRef = try body.requiredString("clientTxnRef", length: 1...64)
        channelId = try body.requiredInteger("channelId", .channelId)
        channelName = try body.requiredString("channelName", length: 1...64)
        channelSessionId = try body.requiredString("channelSessionId", length: 1...64, alphanumeric: true)
        productId = try body.requiredInteger("productId", .digits(12))
        // `purchaseAmount` and `amount` name one field; when both are given they must agree.
        let purchase = try body.integer("purchaseAmount", .positiveAmount)
        let alias = try body.integer("amount", .positiveAmount)
        if let purchase, let alias, purchase != alias { throw FormatError("purchaseAmount", "must equal amount when both are given") }
        guard let amount = purchase ?? alias else { throw .missing(version.amountField(flow)) }
        purchaseAmount = amount
        feeAmount = try body.integer("feeAmount", .amount)
        currencyCode = try Self.currency(body, required: version.requiresFundingSourceAndCurrency)
        fundingSourceId = try body.integer("fundingSourceId", .digits(12))
        if fundingSourceId == nil && version.requiresFundingSourceAndCurrency { throw Self.fundingSourceMandatory }
        sourceIdentifier = try body.requiredString("sourceIdentifier", length: 1...32, alphanumeric: true)
        targetIdentifier = try body.requiredString("targetIdentifier", length: 1...32, alphanumeric: true)
        accountIdentifier = try body.string("accountIdentifier", length: 1...64, blankIsAbsent: true)
        authCode = try body.string("authCode", length: 1...64)
        timestamp = try body.requiredTimestamp("timestamp", maxLength: 32).text
        lookupReference = try body.string("lookupReference", length: 1...64)
        additionalData = try body.stringMap("additionalData", maxPairs: 20, maxLength: 256)
        switch flow {
        case .reserveAndTransact:
            guard !body.contains("reserveFundsTxnRef") else { throw Self.reserveFundsTxnRefNotExpected }
            reserveFundsTxnRef = nil
        case .transact:
            guard let reference = try body.string("reserveFundsTxnRef", length: 1...64, blankIsAbsent: true) else {
                throw Self.reserveFundsTxnRefMandatory
            }
            reserveFundsTxnRef = reference
        }
    }

    /// `currencyCode`: three capital letters (ISO 4217); anything else that is text is "Currency Code is invalid".
    static func currency(_ body: JSONRequestBody, required: Bool) throws(FormatError) -> String? {
        let text: String?
        do throws(FormatError) {
            text = try body.string("currencyCode", length: 0...256, blankIsAbsent: true)
        } catch {
            throw error == .unreadable("currencyCode") ? error : currencyInvalid
        }
        guard let text else {
            if required { throw currencyMandatory }
            return nil
        }
        guard CurrencyCode(text) != nil else { throw currencyInvalid }
        return text
    }

    /// The parsed request in one canonical text, for recognising a repeat with the same content (API.md §3.3).
    /// The auth code is excluded: it may change between retries of one purchase and must never be stored. A version
    /// before v4 is part of the content (an absent fee means something else there); v4's form is the one it always
    /// had, so that repeats of purchases stored before the older versions were served still match.
    public var canonicalForm: String {
        let additional = (additionalData ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        var parts: [String] = [
            "clientId=\(clientId)", "clientTxnRef=\(clientTxnRef)", "channelId=\(channelId)", "channelName=\(channelName)",
            "channelSessionId=\(channelSessionId)", "productId=\(productId)", "purchaseAmount=\(purchaseAmount)",
            "feeAmount=\(feeAmount.map(String.init) ?? "")", "currencyCode=\(currencyCode ?? "")",
            "fundingSourceId=\(fundingSourceId.map(String.init) ?? "")",
            "sourceIdentifier=\(sourceIdentifier)", "targetIdentifier=\(targetIdentifier)",
            "accountIdentifier=\(accountIdentifier ?? "")", "timestamp=\(timestamp)", "lookupReference=\(lookupReference ?? "")",
            "additionalData=\(additional)", "reserveFundsTxnRef=\(reserveFundsTxnRef ?? "")",
        ]
        if version != .v4 { parts.append("version=\(version.rawValue)") }
        // Each value is length-prefixed so that no choice of values can make two requests read alike.
        return parts.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
    }
}
