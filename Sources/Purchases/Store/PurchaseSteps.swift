import TransactCore
import Foundation
public import Postgres
import Runtime
import Observability

/// The writes of a purchase's steps (open, reservation, vend, delivery), applied through `purchases.apply_steps`:
/// batched across concurrent purchases when built with `batched: true` (one statement and one commit per batch;
/// the hot ledger rows every purchase touches are locked once per batch), else one step per statement. Opens and
/// the workers' steps (vends, deliveries) are batched in lanes of their own, so that a client's request never
/// queues behind background work. A reservation answer is written on its own, at once: it touches no hot ledger
/// row when the bank reserved (the common case), and a batch would only add a queue to the request's latency
/// (measured with scripts/bench-purchases: p99 at half the maximum rate 20–38 ms between runs on its own, 34–36 ms
/// batched; the maximum rate 703–751/s against 880–916/s, the price of one commit per answer. Measured again once
/// the answer also hands the vend over, on a slower day: 331/s on its own, 333/s batched, p50 at half the rate
/// 22 ms against 34 ms.)
public final class PurchaseSteps: Sendable {
    let database: any PostgresQueryable
    /// By lane (opens, workers); empty when not batched. Reservation answers have none: they are written at once.
    private let batchers: [Lane: WriteBatcher<Step, Data>]

    /// The batch lanes: a client's request never queues behind background work.
    enum Lane: Sendable {
        case open, worker
    }

    /// A step of any kind, as the batchers hold them.
    struct Step: Encodable, Sendable {
        let lane: Lane?
        private let step: any PurchaseStep

        init(_ step: some PurchaseStep) {
            self.lane = type(of: step).lane
            self.step = step
        }

        func encode(to encoder: any Encoder) throws {
            try step.encode(to: encoder)
        }
    }

    public init(database: any PostgresQueryable, batched: Bool, maxBatchSize: Int = 64, maxConcurrentBatches: Int = 1) {
        self.database = database
        batchers = batched
            ? Dictionary(uniqueKeysWithValues: [Lane.open, .worker].map { lane in
                (lane, WriteBatcher<Step, Data>(maxBatchSize: maxBatchSize, maxConcurrentBatches: maxConcurrentBatches) { steps in
                    try await Self.apply(steps, on: database)
                })
            })
            : [:]
    }

    /// Applies one step; its result as JSON, or the error the step raised.
    /// In a client span of the caller's trace (`db purchases.<step>`), which covers the wait for its batch.
    func apply(_ step: some PurchaseStep) async throws -> Data {
        try await DatabaseSpan.measure("purchases.\(step.step)") {
            let step = Step(step)
            if let lane = step.lane, let batcher = batchers[lane] { return try await batcher.submit(step) }
            return try await Self.apply([step], on: database)[0].get()
        }
    }

    /// One batch in one statement. A batch stands or falls as a whole; when it falls, its steps are applied one
    /// by one, so that only the failing step fails (nothing of the batch was written, so each is safe to apply).
    static func apply(_ steps: [Step], on database: any PostgresQueryable) async throws -> [Result<Data, any Error>] {
        do {
            return try await applyTogether(steps, on: database).map { .success($0) }
        } catch PostgresError.server(let refusal) where steps.count > 1 && refusal.sqlState.code != "57014" {
            // Only an error the server raised rolled the batch back; anything else (a lost connection, an answer
            // that could not be read) may follow a commit, and applying the steps again would answer differently.
            var results: [Result<Data, any Error>] = []
            for step in steps {
                do {
                    results.append(.success(try await applyTogether([step], on: database)[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private static func applyTogether(_ steps: [Step], on database: any PostgresQueryable) async throws -> [Data] {
        let rows = try await database.query("SELECT * FROM purchases.apply_steps(\(try PostgresJSON(steps))) ORDER BY item")
        guard rows.count == steps.count else {
            throw PostgresError.decoding("\(steps.count) purchase steps answered \(rows.count) rows")
        }
        return try rows.map { Data((try $0.decode(String?.self, "result") ?? "null").utf8) }
    }
}
