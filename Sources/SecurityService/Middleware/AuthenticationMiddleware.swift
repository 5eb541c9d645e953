public import Hummingbird
import HTTPTypes
public import ServiceHTTP

/// Bearer token and `X-API-Key` on every protected route (API.md §1.3). A refusal is 401 with the bodies of
/// API.md §0 and never reaches the handler.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    let verifier: TokenVerifier

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            var context = context
            context.client = try await verifier.authenticate(
                authorization: request.headers[.authorization], apiKey: request.headers[.apiKey])
            if let client = context.client { context.logger[metadataKey: "clientId"] = "\(client.clientId)" }
            return try await next(request, context)
        } catch let failure as TokenVerifier.Failure {
            switch failure {
            case .invalidToken(let reason):
                var response = JSONResponse.make(
                    OAuthStyleError(error: "invalid_token", errorDescription: reason), status: .unauthorized)
                response.headers[.wwwAuthenticate] = #"Bearer error="invalid_token""#
                return response
            case .invalidAPIKey(let reason):
                var response = JSONResponse.make(
                    OAuthStyleError(error: "invalid_api_key", errorDescription: reason), status: .unauthorized)
                response.headers[.wwwAuthenticate] = #"APIKey realm="transact""#
                return response
            }
        }
    }
}
