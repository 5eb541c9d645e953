public import Hummingbird
import HTTPTypes
public import ServiceHTTP

/// The One API's authentication (API.md §13): the integration's key as the raw `Authorization` header, as
/// Clickatell's messaging APIs take it (a `Bearer ` before it is accepted too, as its older Platform clients send
/// it), or — for the Platform's HTTP API, `GET /messages/http/send`, only and always — as its `apiKey` parameter. The request
/// then acts for the integration's client, within the client's rate limit (`RateLimitMiddleware` runs after this).
/// A refusal is 401 in the One API's shape and never reaches the handler.
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
        // The Platform's HTTP API carries its key in its query, and only there.
        if request.uri.path.hasSuffix("/messages/http/send") { header = request.uri.queryParameters["apiKey"].map(String.init) ?? "" }
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
