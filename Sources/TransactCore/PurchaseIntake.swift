public import Postgres

/// The first step of both purchase flows (API.md §3.1, §3.2, DESIGN.md §3 steps 3–4): the catalogue context, the
/// business checks, and the purchase stored as decided, with its reference claimed.
public struct PurchaseIntake: Sendable {
    let database: any PostgresQueryable
    public let store: PurchaseStore

    public init(database: any PostgresQueryable, steps: PurchaseSteps? = nil) {
        self.database = database
        self.store = PurchaseStore(database: database, steps: steps)
    }

    /// Opens the purchase. Throws `FormatError` when the target must be an MSISDN for this product and is not
    /// (nothing is stored). `reservationDeadlineSeconds`: when an unrecorded reservation is settled as unanswered.
    public func open(
        _ request: PurchaseRequest, flow: PurchaseRequest.Flow, reservationDeadlineSeconds: Int = 60
    ) async throws -> (opening: PurchaseStore.Opening, decision: PurchaseDecision) {
        let context = try await PurchaseContext.load(for: request, from: database)
        let decision = try PurchaseDecision(request: request, context: context)
        let opening = try await store.open(
            request, flow: flow, decision: decision, reservationDeadlineSeconds: reservationDeadlineSeconds)
        return (opening, decision)
    }
}
