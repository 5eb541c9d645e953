public import Hummingbird
public import Postgres
public import ServiceHTTP
public import Purchases
import TransactCore

/// `POST /transact/4.0`, `POST /raas/v4/transact` (API.md §3.2) and the older versions `POST /raas/v3/transact`,
/// `POST /raas/v2/transact` (§3.2a): the client reserved the funds itself (`reserveFundsTxnRef`), so the purchase is
/// accepted at once ("Processing request") and vended in the background; the outcome goes to the client's
/// `transactResultUrl`.
public struct TransactRoutes: Sendable {
    let intake: PurchaseIntake

    /// Every path, with the version it serves. (v1 shares `POST /raas/v1/transact` with Reserve and Transact:
    /// `Server` routes it.)
    public static let paths: [(String, PurchaseVersion)] = [
        ("transact/4.0", .v4), ("raas/v4/transact", .v4), ("raas/v3/transact", .v3), ("raas/v2/transact", .v2),
    ]

    public init(database: any PostgresQueryable, steps: PurchaseSteps? = nil) {
        self.intake = PurchaseIntake(database: database, steps: steps)
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        for (path, version) in Self.paths {
            group.post(RouterPath(path)) { request, context in try await handle(request, context: context, version: version) }
        }
    }

    public func handle(_ request: Request, context: TransactRequestContext, version: PurchaseVersion) async throws -> Response {
        let purchase = try await PurchaseHTTP.request(from: request, context: context, flow: .transact, version: version)
        let decision = try await PurchaseHTTP.decide(purchase, with: intake)
        // A Transact purchase is answered when it is stored: accepted, rejected, or a repeat. (The client reserved
        // the funds, so purchases.open_all never leaves one for the bank to be asked.)
        guard case .settled(let settled) = try await intake.open(purchase, decision: decision) else {
            throw APIError(status: .internalServerError, Answer.unexpectedError.coded)
        }
        return PurchaseHTTP.response(to: settled, of: purchase)
    }
}
