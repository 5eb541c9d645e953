public import Hummingbird
public import HTTPTypes
import ServiceHTTP
import TransactCore

/// A refusal of the Chat 2 Pay API: the service's envelope (`responseCode`, `responseMessage`), and for a cancel
/// that comes too late Clickatell's `reasonCode` (1: already cancelled, 2: expired).
public struct Chat2PayRefusal: HTTPResponseError {
    public let status: HTTPResponse.Status
    let answer: CodedMessage
    let reasonCode: Int?

    init(_ status: HTTPResponse.Status, _ answer: CodedMessage, reasonCode: Int? = nil) {
        self.status = status
        self.answer = answer
        self.reasonCode = reasonCode
    }

    init(_ status: HTTPResponse.Status, _ answer: Answer, reasonCode: Int? = nil) {
        self.init(status, answer.coded, reasonCode: reasonCode)
    }

    struct Body: Encodable {
        let responseCode: String
        let responseMessage: String
        let reasonCode: Int?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(Body(responseCode: answer.code, responseMessage: answer.message, reasonCode: reasonCode), status: status)
    }

    static func notFound(_ reference: String) -> Chat2PayRefusal {
        Chat2PayRefusal(.notFound, Answer.paymentRequestNotFound.filled(String(reference.prefix(64))))
    }
}
