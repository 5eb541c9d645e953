/// A connection leased exclusively by `PostgresClient.withConnection` or `withTransaction`. Valid only inside
/// the closure it was handed to.
public struct PostgresSession: Sendable {
    let worker: ConnectionWorker

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withCheckedThrowingContinuation { continuation in
            worker.enqueue(.statement(query, continuation))
        }
    }

    /// Runs SQL text that may hold several statements, with no parameters (the simple query protocol), for
    /// example a migration file. Returns the last statement's rows.
    @discardableResult
    public func execute(script sql: String) async throws -> PostgresRows {
        try await withCheckedThrowingContinuation { continuation in
            worker.enqueue(.simple(sql, continuation))
        }
    }
}
