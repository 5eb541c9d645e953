/// The financial terms of one client for one product (API.md §2): the fee the buyer pays on top of the purchase,
/// and the shares the client and the vendor earn. Amounts in minor units; percentages in basis points.
public struct FeeSchedule: Sendable, Equatable {
    public var feeFixedMinor: Int64
    public var feeBasisPoints: Int64
    public var feeMinMinor: Int64?
    public var feeMaxMinor: Int64?
    public var clientShareBasisPoints: Int64
    public var vendorShareBasisPoints: Int64

    public init(
        feeFixedMinor: Int64 = 0, feeBasisPoints: Int64 = 0, feeMinMinor: Int64? = nil, feeMaxMinor: Int64? = nil,
        clientShareBasisPoints: Int64 = 0, vendorShareBasisPoints: Int64 = 0
    ) {
        self.feeFixedMinor = feeFixedMinor
        self.feeBasisPoints = feeBasisPoints
        self.feeMinMinor = feeMinMinor
        self.feeMaxMinor = feeMaxMinor
        self.clientShareBasisPoints = clientShareBasisPoints
        self.vendorShareBasisPoints = vendorShareBasisPoints
    }
}
