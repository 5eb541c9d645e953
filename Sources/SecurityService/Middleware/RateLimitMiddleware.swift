public import Hummingbird
import HTTPTypes
public import ServiceHTTP

/// The per-client rate limit (`rateLimitPerSecond`): 429 with `Retry-After` beyond it. Runs after authentication.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    let limiter: RateLimiter

    public init(limiter: RateLimiter) {
        self.limiter = limiter
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let client = try context.requireClient()
        if let retryAfter = limiter.acquire(clientId: client.clientId, ratePerSecond: client.rateLimitPerSecond) {
            var response = JSONResponse.make(
                OAuthStyleError(error: "rate_limited", errorDescription: "More than \(client.rateLimitPerSecond) requests per second"),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
        return try await next(request, context)
    }
}
