import TransactCore
import Foundation
public import Postgres
import Runtime

/// The writes of a purchase's steps (open, reservation, vend, delivery), applied through `purchases.apply_steps`:
/// batched across concurrent purchases when built with `batched: true` (one statement and one commit per batch;
/// the hot ledger rows every purchase touches are locked once per batch), else one step per statement. Opens and
/// the workers' steps (vends, deliveries) are batched in lanes of their own, so that a client's request never
/// queues behind background work. A reservation answer is written on its own, at once: it touches no hot ledger
/// row when the bank reserved (the common case), and a batch would only add a queue to the request's latency
/// (measured with scripts/bench-purchases: p99 at half the maximum rate 20–38 ms between runs on its own, 34–36 ms
/// batched; the maximum rate 703–751/s against 880–916/s, the price of one commit per answer).
public final class PurchaseSteps: Sendable {
    let database: any PostgresQueryable
    /// By lane (opens, workers); empty when not batched. Reservation answers have none: they are written at once.
    private let batchers: [Step.Lane: WriteBatcher<Step, Data>]

    /// A step as `purchases.apply_steps` reads it: a JSON object whose `step` names the function.
    struct Step: Encodable, Sendable {
        let fields: [String: StepValue]

        enum Lane {
            case open, worker
        }

        /// The batch lane of this step; nil for a reservation answer, written at once.
        var lane: Lane? {
            switch fields["step"] {
            case .text("open"): .open
            case .text("reservation"): nil
            default: .worker
            }
        }

        func encode(to encoder: any Encoder) throws {
            try fields.encode(to: encoder)
        }
    }

    public init(database: any PostgresQueryable, batched: Bool, maxBatchSize: Int = 64, maxConcurrentBatches: Int = 1) {
        self.database = database
        batchers = batched
            ? Dictionary(uniqueKeysWithValues: [Step.Lane.open, .worker].map { lane in
                (lane, WriteBatcher<Step, Data>(maxBatchSize: maxBatchSize, maxConcurrentBatches: maxConcurrentBatches) { steps in
                    try await Self.apply(steps, on: database)
                })
            })
            : [:]
    }

    /// Applies one step; its result as JSON, or the error the step raised.
    func apply(_ step: Step) async throws -> Data {
        if let lane = step.lane, let batcher = batchers[lane] { return try await batcher.submit(step) }
        return try await Self.apply([step], on: database)[0].get()
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

/// The JSON values a step carries.
enum StepValue: Encodable, Sendable {
    case text(String)
    case integer(Int64)
    case bool(Bool)
    case map([String: String])
    case object([String: StepValue])
    case null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    static func optional(_ text: String?) -> StepValue { text.map(StepValue.text) ?? .null }
}
