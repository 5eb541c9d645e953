public import Hummingbird

/// Typed per-request state, filled in by middleware as the request passes through.
public struct TransactRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-Id` of this request: echoed from the caller when acceptable, else generated.
    public var requestID: String = ""

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
