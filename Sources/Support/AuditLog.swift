public import Postgres
public import ServiceHTTP

/// The audit log of every support action (API.md §8) and every administrative command: who, what, when, from
/// where, written before the action's answer goes back (a command's in the transaction of its change); a failure to
/// write it fails the action. One log for each way in (the API, the console, the command line).
public struct AuditLog: Sendable {
    let database: any PostgresQueryable
    let channel: Channel

    public enum Channel: String, Sendable {
        case api, console
        case commandLine = "cli"
    }

    public init(database: any PostgresQueryable, channel: Channel) {
        self.database = database
        self.channel = channel
    }

    /// Client `actor` did `action` (to `target`), in the request of `context` (its peer's address and request id).
    public func record(
        _ actor: Int64, _ action: String, target: String? = nil, detail: String? = nil, _ context: TransactRequestContext
    ) async throws {
        precondition(channel != .commandLine, "a request's actor is a client")
        try await insert(
            actorClientId: actor, operatorName: nil, action, target: target, detail: detail,
            remoteAddress: context.remoteAddress, requestID: context.requestID)
    }

    /// The operator at the command line (`user@host`) did `action` (to `target`).
    public func record(byOperator operatorName: String, _ action: String, target: String? = nil, detail: String? = nil) async throws {
        precondition(channel == .commandLine, "an operator acts from the command line")
        try await insert(
            actorClientId: nil, operatorName: operatorName, action, target: target, detail: detail, remoteAddress: nil, requestID: nil)
    }

    private func insert(
        actorClientId: Int64?, operatorName: String?, _ action: String, target: String?, detail: String?,
        remoteAddress: String?, requestID: String?
    ) async throws {
        try await database.query("""
            INSERT INTO support.audit_log (actor_client_id, operator, channel, action, target, detail, remote_address, request_id)
            VALUES (\(actorClientId), \(operatorName.map { String($0.prefix(200)) }), \(channel.rawValue), \(String(action.prefix(100))),
                    \(target.map { String($0.prefix(200)) }), \(detail.map { String($0.prefix(1_000)) }),
                    \(remoteAddress.map { String($0.prefix(100)) }), \(requestID.map { String($0.prefix(100)) }))
            """)
    }
}
