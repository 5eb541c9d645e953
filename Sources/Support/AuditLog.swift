public import Postgres

/// The audit log of every support action (API.md §8): who, what, when, from where. Written in the same round trip
/// as nothing else, before the action's answer goes back; a failure to write it fails the action.
public struct AuditLog: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    public enum Channel: String, Sendable {
        case api, console
    }

    public struct Entry: Sendable {
        public let actorClientId: Int64
        public let channel: Channel
        public let action: String
        public let target: String?
        public let detail: String?
        public let remoteAddress: String?
        public let requestId: String?

        public init(
            actorClientId: Int64, channel: Channel, action: String, target: String? = nil, detail: String? = nil,
            remoteAddress: String?, requestId: String?
        ) {
            self.actorClientId = actorClientId
            self.channel = channel
            self.action = action
            self.target = target.map { String($0.prefix(200)) }
            self.detail = detail.map { String($0.prefix(1_000)) }
            self.remoteAddress = remoteAddress.map { String($0.prefix(100)) }
            self.requestId = requestId.map { String($0.prefix(100)) }
        }
    }

    public func record(_ entry: Entry) async throws {
        try await database.query("""
            INSERT INTO support.audit_log (actor_client_id, channel, action, target, detail, remote_address, request_id)
            VALUES (\(entry.actorClientId), \(entry.channel.rawValue), \(String(entry.action.prefix(100))), \(entry.target),
                    \(entry.detail), \(entry.remoteAddress), \(entry.requestId))
            """)
    }
}
