/// Something that runs statements: the pool (each statement its own transaction) or a leased session (inside
/// whatever transaction the caller opened). Code that writes SQL takes one of these so that callers choose.
public protocol PostgresQueryable: Sendable {
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> PostgresRows
}

extension PostgresClient: PostgresQueryable {}
extension PostgresSession: PostgresQueryable {}
