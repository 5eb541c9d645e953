public import Hummingbird
import HTTPTypes

/// Refuses bodies over the limit with 413 before reading them (API.md §0: 64 KiB), and otherwise collects the
/// body so that later middleware (the Signature check) and the handler read the same bytes.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    public static let defaultMaxBytes = 64 * 1_024
    let maxBytes: Int

    public init(maxBytes: Int = BodyLimitMiddleware.defaultMaxBytes) {
        self.maxBytes = maxBytes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw HTTPError(.contentTooLarge, message: "The body is larger than \(maxBytes) bytes")
        }
        guard request.method == .post || request.method == .put || request.method == .patch else {
            return try await next(request, context)
        }
        var request = request
        // Collecting stops at the limit: a chunked body that grows past it is refused without being held.
        _ = try await request.collectBody(upTo: maxBytes)
        return try await next(request, context)
    }
}
