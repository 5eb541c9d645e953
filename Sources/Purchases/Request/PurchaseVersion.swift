import TransactCore
/// The version of the purchase API a request came through (API.md §3.1, §3.2, §3.2a). Clickatell's gateway serves
/// every version side by side, so banks integrated years ago keep their code; this says which fields a version's
/// body carries, what stands in for those it lacks, and how it words its acceptance.
public enum PurchaseVersion: Int, Sendable, Comparable {
    case v1 = 1, v2, v3, v4

    public static func < (lhs: PurchaseVersion, rhs: PurchaseVersion) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Only v4 names the funding source and the currency; before it, the client's default funding source and the
    /// product's currency apply.
    public var requiresFundingSourceAndCurrency: Bool { self == .v4 }

    /// v1 and v2 carry no fee: the fee of the client's financial terms applies. From v3 a missing fee is refused
    /// with 2055 "No feeAmount provided".
    public var feeFromTerms: Bool { self <= .v2 }

    /// The name this version gives the purchase amount (each version accepts the other name as an alias).
    public func amountField(_ flow: PurchaseRequest.Flow) -> String {
        self == .v4 || (self == .v3 && flow == .reserveAndTransact) ? "purchaseAmount" : "amount"
    }

    /// The message of an accepted purchase: Reserve and Transact from v3 says the funds are reserved.
    public func acceptedMessage(_ flow: PurchaseRequest.Flow) -> String {
        (flow == .reserveAndTransact && self >= .v3 ? Answer.fundsReserved : Answer.processingRequest).message
    }
}
