import Foundation
public import Hummingbird
import HTTPTypes
import Logging

/// Gives every request an id: the caller's `X-Request-Id` when it is short and printable, else a new one. The id
/// goes on every response and into every log line of the request, so an error seen by a caller can be found.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.requestID = Self.acceptable(request.headers[.requestID]) ?? UUID().uuidString.lowercased()
        context.logger[metadataKey: "requestId"] = .string(context.requestID)
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.requestID
            return response
        } catch {
            throw RequestFailure(requestID: context.requestID, underlying: error)
        }
    }

    /// At most 128 visible ASCII characters: anything else could forge log lines or bloat them.
    static func acceptable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        else { return nil }
        return value
    }
}

/// An error on its way out, with the request id it belongs to, for `ErrorMiddleware`.
struct RequestFailure: Error {
    let requestID: String
    let underlying: any Error
}
