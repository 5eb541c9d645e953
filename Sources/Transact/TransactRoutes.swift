public import Hummingbird
public import Postgres
public import ServiceHTTP
public import TransactCore

/// `POST /transact/4.0` and `POST /raas/v4/transact` (API.md §3.2): the client reserved the funds itself
/// (`reserveFundsTxnRef`), so the purchase is accepted at once ("Processing request") and vended in the background;
/// the outcome goes to the client's `transactResultUrl`.
public struct TransactRoutes: Sendable {
    let intake: PurchaseIntake

    public static let paths = ["transact/4.0", "raas/v4/transact"]

    public init(database: any PostgresQueryable, steps: PurchaseSteps? = nil) {
        self.intake = PurchaseIntake(database: database, steps: steps)
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        for path in Self.paths {
            group.post(RouterPath(path)) { request, context in try await handle(request, context: context) }
        }
    }

    func handle(_ request: Request, context: TransactRequestContext) async throws -> Response {
        let purchase = try await PurchaseHTTP.request(from: request, context: context, flow: .transact)
        let opening = try await PurchaseHTTP.open(purchase, flow: .transact, with: intake).opening
        // A Transact purchase is answered when it is stored: accepted, rejected, or a repeat.
        guard let response = PurchaseHTTP.response(to: opening) else {
            throw APIError(status: .internalServerError, responseCode: "0001", responseMessage: "Unexpected error")
        }
        return response
    }
}
