import Foundation
import TransactCore

/// `POST /api/v2/chat-2-pay`'s body (API.md §12), read by its rules: a format error is 400 `4000` and stores
/// nothing.
struct PaymentRequestBody: Sendable {
    enum Channel: String, Sendable, CaseIterable {
        case sms, whatsapp, none
    }

    enum TransactionType: String, Sendable, CaseIterable {
        case authorization, sale
    }

    let clientId: Int64
    let channel: Channel
    /// The customer's MSISDN; nil only for channel `none`.
    let to: String?
    let currency: String
    let orderNumber: String
    let subTotalAmount: Int64
    let taxAmount: Int64
    let totalAmount: Int64
    let requestedAt: Date
    let transactionType: TransactionType
    /// nil: the client's default funding source.
    let fundingSourceId: Int64?
    let returnPaymentLink: Bool
    let paymentReviewAutoReversal: Bool
    /// A marketplace product the payment buys, for this target (both or neither).
    let productId: Int64?
    let targetIdentifier: String?
    let additionalData: [String: String]

    static let maxAdditionalPairs = 20
    static let maxAdditionalLength = 256

    /// The refusal of a total that is not the sum of its parts, in Clickatell's words.
    static let totalNotSum = FormatError(field: "totalAmount", message: Answer.totalNotSum.message)

    init(_ body: JSONRequestBody) throws(FormatError) {
        clientId = try body.requiredInteger("clientId", .digits(5))
        guard let channel = try Self.choice(body, "channel", Channel.self) else { throw .missing("channel") }
        self.channel = channel
        to = try body.string("to", length: 8...15)
        if let to, !FieldRules.isMSISDN(to) { throw .notMSISDN("to") }
        if to == nil, channel != .none { throw FormatError.missing("to") }
        currency = try body.requiredString("currency", length: 3...3)
        guard currency.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw FormatError("currency", "must be an ISO 4217 code")
        }
        orderNumber = try body.requiredString("orderNumber", length: 1...64)
        subTotalAmount = try body.requiredInteger("subTotalAmount", .amount)
        taxAmount = try body.requiredInteger("taxAmount", .amount)
        totalAmount = try body.requiredInteger("totalAmount", .positiveAmount)
        guard subTotalAmount.addingReportingOverflow(taxAmount) == (totalAmount, false) else { throw Self.totalNotSum }
        requestedAt = try body.requiredTimestamp("timestamp", maxLength: 40).instant
        transactionType = try Self.choice(body, "transactionType", TransactionType.self) ?? .sale
        fundingSourceId = try body.integer("fundingSourceId", IntegerRule(1...999_999_999_999))
        returnPaymentLink = try body.bool("returnPaymentLink") ?? false
        paymentReviewAutoReversal = try body.bool("paymentReviewAutoReversal") ?? false
        productId = try body.integer("productId", IntegerRule(1...999_999_999_999))
        targetIdentifier = try body.string("targetIdentifier", length: 1...32, alphanumeric: true)
        if (productId == nil) != (targetIdentifier == nil) {
            throw FormatError(productId == nil ? "productId" : "targetIdentifier", "must be given with \(productId == nil ? "targetIdentifier" : "productId")")
        }
        // The product's token goes to the customer on the request's channel.
        if productId != nil, channel == .none { throw FormatError("channel", "must be sms or whatsapp when productId is given") }
        additionalData = try body.stringMap(
            "additionalData", maxPairs: Self.maxAdditionalPairs, maxLength: Self.maxAdditionalLength) ?? [:]
    }

    private static func choice<Choice: RawRepresentable<String> & CaseIterable>(
        _ body: JSONRequestBody, _ field: String, _: Choice.Type
    ) throws(FormatError) -> Choice? {
        guard let text = try body.string(field, length: 1...32) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            throw FormatError(field, "must be one of " + Choice.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return choice
    }
}
