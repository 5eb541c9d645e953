public import Hummingbird
import HTTPTypes

/// 403 `{"error":"forbidden",…}` (API.md §0): the caller is authenticated but may not act for that client,
/// vendor or endpoint. It never carries data.
public struct Forbidden: HTTPResponseError {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var status: HTTPResponse.Status { .forbidden }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(OAuthStyleError(error: "forbidden", errorDescription: reason), status: .forbidden)
    }
}

/// `{"error": …, "error_description": …}`, the body of authentication, authorisation and rate-limit refusals.
public struct OAuthStyleError: Encodable, Sendable {
    public let error: String
    public let errorDescription: String

    public init(error: String, errorDescription: String) {
        self.error = error
        self.errorDescription = errorDescription
    }

    enum CodingKeys: String, CodingKey {
        case error, errorDescription = "error_description"
    }
}
