import TransactCore
/// A vendor interface (API.md §5.1): pluggable, chosen per vendor by its `adapter`.
public protocol Vendor: Sendable {
    /// One vend attempt under `request.reference`, given up (as a timeout: uncertain) when it is not answered within
    /// `limit`: a worker's attempt must be over while its lease holds, before another worker may ask the vendor
    /// about it (DESIGN.md §7).
    func vend(_ request: VendRequest, within limit: Duration) async -> VendOutcome
    /// The outcome of an earlier attempt by its reference; nil when the vendor cannot be asked or never received it.
    func status(of request: VendRequest) async -> VendOutcome?
    /// Whether an account can be bought for, and whose it is (Customer Account Validation).
    func validateAccount(_ request: AccountValidationRequest) async -> AccountValidationOutcome
}

/// The `simulated` adapter, in process. A vend the simulator would leave unanswered (2239) is reported as the
/// retryable timeout at once.
public struct SimulatedVendorAdapter: Vendor {
    let vendor = SimulatedVendor()

    public init() {}

    public func vend(_ request: VendRequest, within limit: Duration) async -> VendOutcome {
        vendor.vend(request)
    }

    public func status(of request: VendRequest) async -> VendOutcome? {
        vendor.status(of: request)
    }

    public func validateAccount(_ request: AccountValidationRequest) async -> AccountValidationOutcome {
        vendor.validateAccount(request)
    }
}
