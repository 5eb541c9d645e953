public import Hummingbird

/// Typed per-request state, filled in by middleware as the request passes through.
public struct TransactRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-Id` of this request: echoed from the caller when acceptable, else generated.
    public var requestID: String = ""
    /// Set by the authentication middleware on every protected route.
    public var client: AuthenticatedClient?
    /// Set, with `client`, by the integration authentication middleware on the One API's routes.
    public var integration: AuthenticatedIntegration?
    /// The peer's address (for the support audit log); what a proxy in front says is not trusted.
    public let remoteAddress: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The authenticated caller; a route behind the authentication middleware always has one.
    public func requireClient() throws -> AuthenticatedClient {
        guard let client else { throw Forbidden("not authenticated") }
        return client
    }

    /// Authorisation in one place (API.md §1.3): a `client` acts only for its own clientId. Support and admin read
    /// across clients only where the route says so (`allowing`).
    public func authorize(clientId: Int64, allowing roles: Set<ClientRole> = []) throws -> AuthenticatedClient {
        let client = try requireClient()
        if roles.contains(client.role) { return client }
        guard client.role == .client else { throw Forbidden("role \(client.role.rawValue) may not call this endpoint") }
        guard client.clientId == clientId else { throw Forbidden("the token's client may not act for clientId \(clientId)") }
        return client
    }

    /// The One API's caller; a route behind the integration authentication middleware always has one.
    public func requireIntegration() throws -> AuthenticatedIntegration {
        guard let integration else { throw Forbidden("not authenticated") }
        return integration
    }

    /// A `vendor` user acts only for its own vendorId.
    public func authorize(vendorId: Int64) throws -> AuthenticatedClient {
        let client = try authorize(role: .vendor)
        guard client.vendorId == vendorId else { throw Forbidden("the token's vendor may not act for vendorId \(vendorId)") }
        return client
    }

    /// Endpoints for one role (support, admin).
    public func authorize(role: ClientRole) throws -> AuthenticatedClient {
        let client = try requireClient()
        guard client.role == role else { throw Forbidden("role \(client.role.rawValue) may not call this endpoint") }
        return client
    }

}
