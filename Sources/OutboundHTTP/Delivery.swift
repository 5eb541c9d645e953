/// What one delivery attempt to an endpoint came to: acknowledged (any 2xx) or not, and what happened, for the
/// record.
public struct Delivery: Sendable, Equatable {
    public let acknowledged: Bool
    public let detail: String

    public init(acknowledged: Bool, detail: String) {
        self.acknowledged = acknowledged
        self.detail = detail
    }
}
