import Foundation
public import Hummingbird
import HTTPTypes
import Logging
import TransactCore
import Postgres

/// Turns errors into the answers of API.md §0 and never leaks internals: HTTP errors keep their status; anything
/// unexpected is a 500 (503 while the database is unreachable) with `responseCode` `0001`, "Unexpected error" and
/// the request id, which is logged with the cause.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as RequestFailure {
            if let httpError = failure.underlying as? any HTTPResponseError {
                var response = try httpError.response(from: request, context: context)
                response.headers[.requestID] = failure.requestID
                return response
            }
            let unavailable = (failure.underlying as? PostgresError)?.isUnavailable == true
            context.logger.error(
                "Request failed",
                metadata: [
                    "requestId": .string(failure.requestID), "error": .string("\(failure.underlying)"),
                    "path": .string(request.uri.path),
                ])
            return Self.unexpectedError(requestID: failure.requestID, status: unavailable ? .serviceUnavailable : .internalServerError)
        }
    }

    static func unexpectedError(requestID: String, status: HTTPResponse.Status) -> Response {
        let body = UnexpectedErrorBody(
            responseCode: Answer.unexpectedError.code, responseMessage: Answer.unexpectedError.message, requestId: requestID)
        var response = JSONResponse.make(body, status: status)
        response.headers[.requestID] = requestID
        return response
    }

    struct UnexpectedErrorBody: Encodable {
        let responseCode: String
        let responseMessage: String
        let requestId: String
    }
}
