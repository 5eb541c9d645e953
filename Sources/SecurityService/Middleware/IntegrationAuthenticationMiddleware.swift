public import Hummingbird
import HTTPTypes
public import ServiceHTTP

/// The One API's authentication (API.md §13): the integration's key as the raw `Authorization` header, as
/// Clickatell's messaging APIs take it (a `Bearer ` before it is accepted too, as its older Platform clients send
/// it). The request then acts for the integration's client, within the client's rate limit (`RateLimitMiddleware`
/// runs after this). A refusal is 401 in the One API's shape and never reaches the handler.
public struct IntegrationAuthenticationMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    let directory: IntegrationDirectory

    public init(directory: IntegrationDirectory) {
        self.directory = directory
    }

    /// `{"messages": [], "error": {"code": 1, "description": …}}`.
    struct Refusal: Encodable {
        struct Failure: Encodable {
            let code: Int
            let description: String
        }

        let messages: [String] = []
        let error: Failure
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var header = request.headers[.authorization] ?? ""
        if header.hasPrefix("Bearer ") { header.removeFirst("Bearer ".count) }
        guard !header.isEmpty, let integration = try await directory.integration(forKey: header) else {
            return JSONResponse.make(
                Refusal(error: .init(code: 1, description: "Invalid or missing integration API key")), status: .unauthorized)
        }
        var context = context
        context.integration = AuthenticatedIntegration(
            integrationId: integration.integrationId, clientId: integration.clientId, name: integration.name,
            channels: integration.channels)
        context.client = AuthenticatedClient(
            clientId: integration.clientId, role: .client, vendorId: nil, signatureRequired: false, signatureSecretSealed: nil,
            rateLimitPerSecond: integration.rateLimitPerSecond)
        context.logger[metadataKey: "clientId"] = "\(integration.clientId)"
        context.logger[metadataKey: "integrationId"] = "\(integration.integrationId)"
        return try await next(request, context)
    }
}
