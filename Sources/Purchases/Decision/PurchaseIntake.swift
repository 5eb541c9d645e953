import TransactCore
public import Postgres

/// The first step of every purchase flow and version (API.md §3.1, §3.2, §3.2a; DESIGN.md §3 steps 3–4): the
/// catalogue context and the business checks (`decide`), then the purchase stored as decided, with its reference
/// claimed (`open`). Between the two, a Reserve and Transact learns its funding source's timeout.
public struct PurchaseIntake: Sendable {
    let database: any PostgresQueryable
    public let store: PurchaseStore

    public init(database: any PostgresQueryable, steps: PurchaseSteps? = nil) {
        self.database = database
        self.store = PurchaseStore(database: database, steps: steps)
    }

    /// Decides the purchase against the catalogue. Throws `FormatError` for the refusals that store nothing
    /// (`PurchaseDecision.init`).
    public func decide(_ request: PurchaseRequest) async throws -> PurchaseDecision {
        try PurchaseDecision(request: request, context: try await PurchaseContext.load(for: request, from: database))
    }

    /// Stores the purchase as decided. `reservationDeadlineSeconds`: when an unrecorded reservation is settled as
    /// unanswered.
    public func open(
        _ request: PurchaseRequest, decision: PurchaseDecision, reservationDeadlineSeconds: Int = 60
    ) async throws -> PurchaseStore.Opening {
        try await store.open(request, decision: decision, reservationDeadlineSeconds: reservationDeadlineSeconds)
    }
}
