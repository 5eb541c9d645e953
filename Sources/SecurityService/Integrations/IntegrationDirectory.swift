public import Postgres
import Runtime

/// An integration, as its key authenticates it (API.md §13): whose it is, what it may send on, and its client's
/// rate limit.
public struct IntegrationRecord: Sendable, Equatable {
    public let integrationId: Int64
    public let clientId: Int64
    public let name: String
    /// 6 SMS, 8 WhatsApp.
    public let channels: [Int64]
    public let statusCallbackURL: String?
    public let replyCallbackURL: String?
    /// The client's `rateLimitPerSecond`: an integration spends its client's allowance.
    public let rateLimitPerSecond: Int
}

/// Finds the integration of a raw `Authorization` key (the key's SHA-256 names it; a key is 256 random bits, so
/// the lookup by its hash reveals nothing a comparison's timing could). Active integrations of active clients only;
/// each answer is kept for `cacheTTL`, so that a rotation or a disable reaches every process within it.
public final class IntegrationDirectory: Sendable {
    private let database: any PostgresQueryable
    private let cache: ExpiringCache<String, IntegrationRecord?>

    public init(database: any PostgresQueryable, cacheTTL: Duration = .seconds(2), maxCachedKeys: Int = 100_000) {
        self.database = database
        self.cache = ExpiringCache(ttl: cacheTTL, maxEntries: maxCachedKeys)
    }

    /// The integration of `key`; nil when no active one has it.
    public func integration(forKey key: String) async throws -> IntegrationRecord? {
        guard (1...APIKey.maxLength).contains(key.utf8.count) else { return nil }
        let hash = APIKey.hash(key)
        return try await cache.value(for: hash) {
            try await database.query("""
                SELECT i.integration_id, i.client_id, i.name, i.channels, i.status_callback_url, i.reply_callback_url,
                       c.rate_limit_per_second
                FROM notifications.integrations i JOIN catalogue.clients c ON c.client_id = i.client_id
                WHERE i.api_key_hash = \(hash) AND i.status = 'active' AND c.status = 'active'
                """).first.map { row in
                IntegrationRecord(
                    integrationId: try row.decode(Int64.self, "integration_id"), clientId: try row.decode(Int64.self, "client_id"),
                    name: try row.decode(String.self, "name"), channels: try row.decode([Int64].self, "channels"),
                    statusCallbackURL: try row.decode(String?.self, "status_callback_url"),
                    replyCallbackURL: try row.decode(String?.self, "reply_callback_url"),
                    rateLimitPerSecond: try row.decode(Int.self, "rate_limit_per_second"))
            }
        }
    }
}
