/// What a purchase costs and whom it pays (API.md §2.1), all in minor units:
///
///     feeAmount         = clamp(feeFixed + round(purchaseAmount × feeBps / 10000), feeMin, feeMax)
///     reserveAmount     = purchaseAmount + feeAmount          (the total purchase value)
///     vendAmount        = purchaseAmount
///     clientShareAmount = round(reserveAmount × clientShareBps / 10000)
///     vendorShareAmount = round(vendAmount × vendorShareBps / 10000)
///     settlementAmount  = reserveAmount − clientShareAmount
///
/// Rounding is half up to the minor unit; an overflow is an error, never a wrap.
public struct FinancialBreakdown: Sendable, Equatable, Codable {
    public let purchaseAmount: Int64
    public let feeAmount: Int64
    public let reserveAmount: Int64
    public let vendAmount: Int64
    public let clientShareAmount: Int64
    public let vendorShareAmount: Int64
    public let settlementAmount: Int64

    public enum Failure: Error, Sendable, Equatable {
        /// An input outside what the arithmetic accepts (a negative amount, basis points outside 0...10000).
        case invalidInput(String)
        case overflow
    }

    public init(purchaseAmount: Int64, terms: FeeSchedule) throws(Failure) {
        guard purchaseAmount >= 0 else { throw .invalidInput("purchaseAmount is negative") }
        for (name, bps) in [("feeBps", terms.feeBasisPoints), ("clientShareBps", terms.clientShareBasisPoints),
                            ("vendorShareBps", terms.vendorShareBasisPoints)] where !(0...10_000).contains(bps) {
            throw .invalidInput("\(name) must be 0...10000")
        }
        for (name, amount) in [("feeFixed", terms.feeFixedMinor), ("feeMin", terms.feeMinMinor ?? 0), ("feeMax", terms.feeMaxMinor ?? 0)]
        where amount < 0 {
            throw .invalidInput("\(name) is negative")
        }
        if let low = terms.feeMinMinor, let high = terms.feeMaxMinor, low > high {
            throw .invalidInput("feeMin is greater than feeMax")
        }

        var fee = try Self.add(terms.feeFixedMinor, Self.basisPoints(terms.feeBasisPoints, of: purchaseAmount))
        if let high = terms.feeMaxMinor { fee = min(fee, high) }
        if let low = terms.feeMinMinor { fee = max(fee, low) }
        let reserve = try Self.add(purchaseAmount, fee)
        let clientShare = try Self.basisPoints(terms.clientShareBasisPoints, of: reserve)
        self.purchaseAmount = purchaseAmount
        self.feeAmount = fee
        self.reserveAmount = reserve
        self.vendAmount = purchaseAmount
        self.clientShareAmount = clientShare
        self.vendorShareAmount = try Self.basisPoints(terms.vendorShareBasisPoints, of: purchaseAmount)
        // clientShare ≤ reserve because bps ≤ 10000, so this cannot go below zero.
        self.settlementAmount = reserve - clientShare
    }

    /// round(amount × bps / 10000), half up, for a non-negative amount and 0 ≤ bps ≤ 10000.
    static func basisPoints(_ bps: Int64, of amount: Int64) throws(Failure) -> Int64 {
        let (product, overflow) = amount.multipliedReportingOverflow(by: bps)
        guard !overflow else { throw .overflow }
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 10_000)
        return remainder * 2 >= 10_000 ? quotient + 1 : quotient
    }

    static func add(_ lhs: Int64, _ rhs: Int64) throws(Failure) -> Int64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow else { throw .overflow }
        return sum
    }
}
