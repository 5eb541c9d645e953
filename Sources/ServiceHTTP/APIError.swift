public import Hummingbird
public import HTTPTypes
public import TransactCore

/// A refusal in the envelope of the purchase and lookup APIs: `{"responseCode": …, "responseMessage": …}` with its
/// HTTP status (API.md §0).
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let responseCode: String
    public let responseMessage: String

    public init(status: HTTPResponse.Status, responseCode: String, responseMessage: String) {
        self.status = status
        self.responseCode = responseCode
        self.responseMessage = responseMessage
    }

    /// 400 `4000` `"<field> :<constraint>"`, the format error of API.md §0.
    public static func format(_ field: String, _ constraint: String) -> APIError {
        APIError(status: .badRequest, responseCode: "4000", responseMessage: "\(field) :\(constraint)")
    }

    /// 400 `4000` `"<field> :<constraint>"` for a field that breaks its rule.
    public init(_ error: FormatError) {
        self.init(status: .badRequest, responseCode: "4000", responseMessage: error.message)
    }

    /// 400 `4000` "Product ID <id> does not exist": a product that does not exist or is not the caller's (the two
    /// look the same, so one client cannot learn another's catalogue).
    public static func productDoesNotExist(_ productId: Int64) -> APIError {
        APIError(status: .badRequest, responseCode: "4000", responseMessage: "Product ID \(productId) does not exist")
    }

    struct Body: Encodable {
        let responseCode: String
        let responseMessage: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(Body(responseCode: responseCode, responseMessage: responseMessage), status: status)
    }
}
