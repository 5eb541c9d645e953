import Tracing

/// The spans of database steps (issue 16, point 1): `db <schema>.<function>`, a client span of PostgreSQL named by
/// the stored function the statement calls, so that a trace shows where a request or a job waited on the database.
public enum DatabaseSpan {
    /// One statement done for the work in hand: a child of its span.
    public static func measure<T>(_ function: String, _ statement: () async throws -> T) async rethrows -> T {
        try await withSpan("db \(function)", ofKind: .client) { span in
            span.attributes["db.system"] = "postgresql"
            return try await statement()
        }
    }

    /// One statement done at once for many items, each belonging to a trace of its own: a batch's claim or report.
    /// Each traced item's trace gets a span of the statement's whole duration (an item untraced gets none), rather
    /// than a trace of the batch's own that no request would lead to. `traceParents` names the items' traces from
    /// what the statement came to, since a claim learns them from its answer.
    public static func measureBatch<T>(
        _ function: String, traceParents: (Result<T, any Error>) -> [String?], _ statement: () async throws -> T
    ) async throws -> T {
        let started = DefaultTracerClock.now
        let result: Result<T, any Error>
        do {
            result = .success(try await statement())
        } catch {
            result = .failure(error)
        }
        let traced = traceParents(result).compactMap { $0 }
        for traceParent in traced {
            let span = startSpan("db \(function)", at: started, context: TraceContext.resuming(traceParent), ofKind: .client)
            span.attributes["db.system"] = "postgresql"
            span.attributes["db.operation.batch.size"] = traced.count
            if case .failure(let error) = result { span.recordError(error) }
            span.end()
        }
        return try result.get()
    }
}
