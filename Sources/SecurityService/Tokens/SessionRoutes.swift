public import Hummingbird
public import ServiceHTTP

/// `GET /auth/check` (decided here): answers who the credentials belong to, so an integrator can test a token and
/// API key without touching money. Behind the authentication and rate-limit middleware like every protected route.
public struct SessionRoutes: Sendable {
    public init() {}

    struct Session: Encodable {
        let clientId: Int64
        let role: String
        let scope: String
        let vendorId: Int64?
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("auth/check") { _, context in
            let client = try context.requireClient()
            return JSONResponse.make(
                Session(clientId: client.clientId, role: client.role.rawValue, scope: client.role.scope, vendorId: client.vendorId),
                status: .ok)
        }
    }
}
