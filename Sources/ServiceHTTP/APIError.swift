public import Hummingbird
public import HTTPTypes
public import TransactCore

/// A refusal in the envelope of the purchase and lookup APIs: `{"responseCode": …, "responseMessage": …}` with its
/// HTTP status (API.md §0).
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let responseCode: String
    public let responseMessage: String

    /// An answer of the catalogue (`Answer`), its placeholders filled where it has any.
    public init(status: HTTPResponse.Status, _ answer: CodedMessage) {
        self.status = status
        self.responseCode = answer.code
        self.responseMessage = answer.message
    }

    /// 400 `4000` `"<field> :<constraint>"`, the format error of API.md §0.
    public static func format(_ field: String, _ constraint: String) -> APIError {
        APIError(status: .badRequest, Answer.formatError.filled(field, constraint))
    }

    /// 400 `4000` for a field that breaks its rule, in the words `FormatError` gives it.
    public init(_ error: FormatError) {
        self.init(status: .badRequest, CodedMessage(code: Answer.formatError.code, message: error.message))
    }

    /// 400 `4000` "Product ID <id> does not exist": a product that does not exist or is not the caller's (the two
    /// look the same, so one client cannot learn another's catalogue).
    public static func productDoesNotExist(_ productId: Int64) -> APIError {
        APIError(status: .badRequest, Answer.productIdDoesNotExist.filled(String(productId)))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(CodedMessage(code: responseCode, message: responseMessage), status: status)
    }
}
