/// Something that runs statements: the pool (each statement its own transaction) or a leased session (inside
/// whatever transaction the caller opened). Code that writes SQL takes one of these so that callers choose.
public protocol PostgresQueryable: Sendable {
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> PostgresRows

    /// Runs a statement that only reads. Where its connection can be replaced (the pool), a read whose connection
    /// was lost (a fail-over, a restarted server, a terminated backend) runs once more on a fresh one before the
    /// caller sees an error: a read has no effect to repeat. A write is never retried: its outcome is unknown.
    func read(_ query: PostgresQuery) async throws -> PostgresRows
}

extension PostgresQueryable {
    /// Inside a caller's transaction nothing can be replaced: a read is a query.
    public func read(_ query: PostgresQuery) async throws -> PostgresRows {
        try await self.query(query)
    }
}

extension PostgresClient: PostgresQueryable {}

extension PostgresSession: PostgresQueryable {}
