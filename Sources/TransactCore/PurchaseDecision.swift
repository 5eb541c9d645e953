/// The business checks of a purchase (API.md §3.1), in the contract's order: product linked and active, amount
/// within its pricing (2050 below, 2040 above), increment 2511, fee 2055, currency, blacklist 2070, funding source
/// linked. A rejection is an answer with HTTP 200, stored as FAILED.
public enum PurchaseDecision: Sendable, Equatable {
    case accept(PurchaseContext.Product, FinancialBreakdown)
    case reject(code: String, message: String)

    /// Decides `request` against `context`. A target that the product needs to be an MSISDN but is not is a format
    /// error (400 `4000`, nothing stored), as API.md §3.1 says.
    public init(request: PurchaseRequest, context: PurchaseContext) throws(FormatError) {
        guard let product = context.product else {
            self = .reject(code: "2513", message: "Product not linked to the client")
            return
        }
        if product.targetIdentifierKind == "msisdn" && !Self.isMSISDN(request.targetIdentifier) {
            throw FormatError("targetIdentifier", "Target Identifier expected to be an MSISDN based on the product")
        }
        guard product.active else {
            self = .reject(code: "2512", message: "Product inactive")
            return
        }
        if let channels = product.channels, !channels.contains(request.channelId) {
            self = .reject(code: "2512", message: "Product inactive on channel \(request.channelId)")
            return
        }
        let amount = request.purchaseAmount
        switch product.pricing {
        case .fixed(let fixed):
            if amount < fixed { self = .reject(code: "2050", message: "Below minimum amount"); return }
            if amount > fixed { self = .reject(code: "2040", message: "Maximum amount exceeded"); return }
        case .range(let min, let max, let increment):
            if amount < min { self = .reject(code: "2050", message: "Below minimum amount"); return }
            if amount > max { self = .reject(code: "2040", message: "Maximum amount exceeded"); return }
            if (amount - min) % increment != 0 {
                self = .reject(code: "2511", message: "Invalid amount increment: amounts go up in steps of \(increment)")
                return
            }
        }
        guard let breakdown = try? FinancialBreakdown(purchaseAmount: amount, terms: context.terms) else {
            // Only terms no amount of 12 digits can reach (an overflow) end here.
            self = .reject(code: "2055", message: "Invalid fee amount")
            return
        }
        guard let fee = request.feeAmount else {
            self = .reject(code: "2055", message: "No feeAmount provided")
            return
        }
        guard fee == breakdown.feeAmount else {
            self = .reject(code: "2055", message: "Invalid fee amount")
            return
        }
        guard request.currencyCode == product.currencyCode else {
            self = .reject(code: "4000", message: "currencyCode :must be \(product.currencyCode), the product's currency")
            return
        }
        guard !context.buyerBlacklisted else {
            self = .reject(code: "2070", message: "sourceIdentifier blacklisted")
            return
        }
        guard context.fundingSourceLinked else {
            self = .reject(code: "4000", message: "fundingSourceId :is not linked to the client")
            return
        }
        guard product.vendorHasFloat else {
            self = .reject(code: "2221", message: "Insufficient vendor float")
            return
        }
        self = .accept(product, breakdown)
    }

    /// An international number without the `+`: 8 to 15 digits, not starting with 0 (E.164).
    static func isMSISDN(_ text: String) -> Bool {
        let digits = text.utf8
        return (8...15).contains(digits.count) && digits.first != UInt8(ascii: "0")
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
