public import Hummingbird
public import TransactCore

/// What the purchase endpoints (Reserve and Transact, Transact) share over HTTP: reading the body into a typed
/// request after format validation, then authorising it (API.md §3.1's order), and the answers of §3.1–§3.3.
public enum PurchaseHTTP {
    /// The validated request; 400 `4000` for a format error, 403 when the body's clientId is not the caller's.
    public static func request(
        from request: Request, context: TransactRequestContext, flow: PurchaseRequest.Flow
    ) async throws -> PurchaseRequest {
        let purchase = try await request.validatedBody { body throws(FormatError) in try PurchaseRequest(body: body, flow: flow) }
        _ = try context.authorize(clientId: purchase.clientId)
        return purchase
    }

    /// Opens the purchase (`PurchaseIntake.open`); a product-dependent format error is 400 `4000`, nothing stored.
    public static func open(
        _ purchase: PurchaseRequest, flow: PurchaseRequest.Flow, with intake: PurchaseIntake, reservationDeadlineSeconds: Int = 60
    ) async throws -> (opening: PurchaseStore.Opening, decision: PurchaseDecision) {
        do {
            return try await intake.open(purchase, flow: flow, reservationDeadlineSeconds: reservationDeadlineSeconds)
        } catch let error as FormatError {
            throw APIError(error)
        }
    }

    struct Body: Encodable {
        let responseCode: String
        let responseMessage: String
        let raasTxnRef: String?
    }

    /// 200 with the answer and the raasTxnRef.
    public static func answer(_ answer: PurchaseStore.Answer, reference: RaasTxnRef) -> Response {
        JSONResponse.make(Body(responseCode: answer.code, responseMessage: answer.message, raasTxnRef: reference.value), status: .ok)
    }

    /// The answer to an opening that needs no further work by the caller; nil for `.created(_, nil)` (call the bank).
    public static func response(to opening: PurchaseStore.Opening) -> Response? {
        switch opening {
        case .created(let reference, let answer?), .replay(let reference, let answer):
            Self.answer(answer, reference: reference)
        case .created(_, nil):
            nil
        case .inProgress(let reference):
            JSONResponse.make(
                Body(responseCode: "2604", responseMessage: "Transaction with this clientTxnRef is in progress",
                     raasTxnRef: reference.value),
                status: .conflict)
        case .duplicate:
            JSONResponse.make(Body(responseCode: "2604", responseMessage: "Duplicate clientTxnRef", raasTxnRef: nil), status: .conflict)
        }
    }
}
