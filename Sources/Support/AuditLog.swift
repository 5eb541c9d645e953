public import Postgres
public import ServiceHTTP

/// The audit log of every support action (API.md §8): who, what, when, from where, written before the action's
/// answer goes back; a failure to write it fails the action. One log for each way in (the API, the console).
public struct AuditLog: Sendable {
    let database: any PostgresQueryable
    let channel: Channel

    public enum Channel: String, Sendable {
        case api, console
    }

    public init(database: any PostgresQueryable, channel: Channel) {
        self.database = database
        self.channel = channel
    }

    /// `actor` did `action` (to `target`), in the request of `context` (its peer's address and request id).
    public func record(
        _ actor: Int64, _ action: String, target: String? = nil, detail: String? = nil, _ context: TransactRequestContext
    ) async throws {
        try await database.query("""
            INSERT INTO support.audit_log (actor_client_id, channel, action, target, detail, remote_address, request_id)
            VALUES (\(actor), \(channel.rawValue), \(String(action.prefix(100))), \(target.map { String($0.prefix(200)) }),
                    \(detail.map { String($0.prefix(1_000)) }), \(context.remoteAddress.map { String($0.prefix(100)) }),
                    \(String(context.requestID.prefix(100))))
            """)
    }
}
