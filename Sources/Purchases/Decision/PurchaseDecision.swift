public import TransactCore
/// What the catalogue makes of a purchase (API.md §3.1, §0.2, §3.2a): the refusals that store nothing (an unknown
/// product, a target that must be an MSISDN, a currency or funding source that is not the purchase's), the values
/// an older version leaves to the catalogue, and then the business checks in the contract's order — product
/// active, amount within its pricing (2050 below, 2040 above), increment 2511, fee 2055, blacklist 2070, the
/// vendor's float 2221. A business rejection is an answer with HTTP 200, stored as FAILED.
public struct PurchaseDecision: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case accept(FinancialBreakdown)
        case reject(CodedMessage)
    }

    public let product: PurchaseContext.Product
    /// The request's, or the client's default for a version without the field.
    public let fundingSourceId: Int64
    /// The request's, or the product's for a version without the field.
    public let currencyCode: String
    /// The request's; for a version without the field (v1, v2), the fee of the client's terms when it can be worked
    /// out.
    public let feeAmount: Int64?
    public let verdict: Verdict

    public init(
        product: PurchaseContext.Product, fundingSourceId: Int64, currencyCode: String, feeAmount: Int64?, verdict: Verdict
    ) {
        self.product = product
        self.fundingSourceId = fundingSourceId
        self.currencyCode = currencyCode
        self.feeAmount = feeAmount
        self.verdict = verdict
    }

    /// Decides `request` against `context`; throws the refusals of API.md §0.2 that store nothing (400 `4000`).
    public init(request: PurchaseRequest, context: PurchaseContext) throws(FormatError) {
        guard let product = context.product else { throw Self.productNotFound(request.productId) }
        if product.targetIdentifierKind == "msisdn" && !Self.isMSISDN(request.targetIdentifier) {
            throw FormatError("targetIdentifier", "Target Identifier expected to be an MSISDN based on the product")
        }
        if let currency = request.currencyCode, currency != product.currencyCode { throw PurchaseRequest.currencyInvalid }
        guard let fundingSourceId = context.fundingSourceId else {
            throw request.fundingSourceId == nil ? PurchaseRequest.fundingSourceMandatory : Self.fundingSourceNotLinked
        }
        let breakdown = try? FinancialBreakdown(purchaseAmount: request.purchaseAmount, terms: context.terms)
        let fee = request.feeAmount ?? (request.version.feeFromTerms ? breakdown?.feeAmount : nil)
        self.init(
            product: product, fundingSourceId: fundingSourceId, currencyCode: product.currencyCode, feeAmount: fee,
            verdict: Self.verdict(request, product, breakdown, fee: fee, buyerBlacklisted: context.buyerBlacklisted))
    }

    public static func productNotFound(_ productId: Int64) -> FormatError {
        FormatError(field: "productId", message: "productId:\(productId) not found")
    }

    public static let fundingSourceNotLinked = FormatError(field: "fundingSourceId", message: "Funding Source not linked to Client")

    private static func verdict(
        _ request: PurchaseRequest, _ product: PurchaseContext.Product, _ breakdown: FinancialBreakdown?, fee: Int64?,
        buyerBlacklisted: Bool
    ) -> Verdict {
        guard product.active else { return .reject(Answer.productInactive.coded) }
        if let channels = product.channels, !channels.contains(request.channelId) {
            return .reject(Answer.productInactiveOnChannel.filled(String(request.channelId)))
        }
        let amount = request.purchaseAmount
        switch product.pricing {
        case .fixed(let fixed):
            if amount < fixed { return .reject(Answer.belowMinimumAmount.coded) }
            if amount > fixed { return .reject(Answer.maximumAmountExceeded.coded) }
        case .range(let min, let max, let increment):
            if amount < min { return .reject(Answer.belowMinimumAmount.coded) }
            if amount > max { return .reject(Answer.maximumAmountExceeded.coded) }
            if (amount - min) % increment != 0 { return .reject(Answer.invalidAmountIncrement.filled(String(increment))) }
        }
        // No breakdown: terms that no amount of 12 digits can reach (an overflow).
        guard let breakdown else { return .reject(Answer.invalidFeeAmount.coded) }
        guard let fee else { return .reject(Answer.noFeeAmount.coded) }
        guard fee == breakdown.feeAmount else { return .reject(Answer.invalidFeeAmount.coded) }
        guard !buyerBlacklisted else { return .reject(Answer.blacklisted.coded) }
        guard product.vendorHasFloat else { return .reject(Answer.insufficientVendorFloat.coded) }
        return .accept(breakdown)
    }

    /// An international number without the `+`: 8 to 15 digits, not starting with 0 (E.164).
    static func isMSISDN(_ text: String) -> Bool {
        let digits = text.utf8
        return (8...15).contains(digits.count) && digits.first != UInt8(ascii: "0")
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
