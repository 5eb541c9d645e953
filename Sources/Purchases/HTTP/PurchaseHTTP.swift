public import Hummingbird
public import ServiceHTTP
public import TransactCore

/// What the purchase endpoints (Reserve and Transact, Transact, every version) share over HTTP: reading the body
/// into a typed request after format validation, then authorising it (API.md §3.1's order), deciding it against the
/// catalogue, and the answers of §3.1–§3.3 in the words of the version called.
public enum PurchaseHTTP {
    /// The validated request; 400 `4000` for a format error, 403 when the body's clientId is not the caller's.
    public static func request(
        from request: Request, context: TransactRequestContext, flow: PurchaseRequest.Flow, version: PurchaseVersion
    ) async throws -> PurchaseRequest {
        let purchase = try await request.validatedBody { body throws(FormatError) in
            try PurchaseRequest(body: body, flow: flow, version: version)
        }
        _ = try context.authorize(clientId: purchase.clientId)
        return purchase
    }

    /// The catalogue's decision (`PurchaseIntake.decide`); its refusals that store nothing are 400 `4000`.
    public static func decide(_ purchase: PurchaseRequest, with intake: PurchaseIntake) async throws -> PurchaseDecision {
        do {
            return try await intake.decide(purchase)
        } catch let error as FormatError {
            throw APIError(error)
        }
    }

    /// Whether a v1 Transact body is a Transact (it names `reserveFundsTxnRef`) rather than a v1 Reserve and
    /// Transact (API.md §3.2a). A body that cannot be read is left to the Reserve and Transact rules to refuse.
    public static func namesReserveFundsTxnRef(_ request: inout Request) async throws -> Bool {
        let bytes = try await request.collectBody(upTo: BodyLimitMiddleware.defaultMaxBytes)
        return (try? JSONRequestBody(bytes: Array(bytes.readableBytesView)))?.contains("reserveFundsTxnRef") ?? false
    }

    struct Body: Encodable {
        let responseCode: String
        let responseMessage: String
        let raasTxnRef: String?
    }

    /// 200 with the answer and the raasTxnRef; an acceptance in the words of the request's version.
    public static func answer(_ answer: CodedMessage, reference: RaasTxnRef, to request: PurchaseRequest) -> Response {
        let message = answer.isSuccess ? request.version.acceptedMessage(request.flow) : answer.message
        return JSONResponse.make(Body(responseCode: answer.code, responseMessage: message, raasTxnRef: reference.value), status: .ok)
    }

    /// The answer to an opening that needs no further work.
    public static func response(to settled: PurchaseStore.Settled, of request: PurchaseRequest) -> Response {
        switch settled {
        case .answered(let reference, let answer), .replay(let reference, let answer):
            Self.answer(answer, reference: reference, to: request)
        case .inProgress(let reference):
            JSONResponse.make(
                Body(responseCode: Answer.inProgress.code, responseMessage: Answer.inProgress.message, raasTxnRef: reference.value),
                status: .conflict)
        case .duplicate:
            JSONResponse.make(
                Body(responseCode: Answer.duplicateClientTxnRef.code, responseMessage: Answer.duplicateClientTxnRef.message,
                     raasTxnRef: nil),
                status: .conflict)
        }
    }
}
