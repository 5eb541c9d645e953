import Foundation
public import Postgres
import Runtime

/// Reads client records, keeping each for a short time so that authenticating a request usually costs no database
/// round trip. A change (secret rotation, a disabled client) is seen by every process within `cacheTTL`, and at
/// once by the process that made it (`invalidate`).
public final class ClientDirectory: Sendable {
    private let database: PostgresClient
    private let cache: ExpiringCache<Int64, ClientRecord?>

    public init(database: PostgresClient, cacheTTL: Duration = .seconds(2), maxCachedClients: Int = 100_000) {
        self.database = database
        self.cache = ExpiringCache(ttl: cacheTTL, maxEntries: maxCachedClients)
    }

    /// The client, or nil when there is no such client.
    public func record(for clientId: Int64) async throws -> ClientRecord? {
        try await cache.value(for: clientId) {
            try await database.query("""
                SELECT client_id, role, status, secret_hash, secret_rotated_at, api_key_hash, signature_required,
                       signature_secret_sealed, vendor_id, rate_limit_per_second
                FROM catalogue.clients WHERE client_id = \(clientId)
                """).first.map(Self.decode)
        }
    }

    public func invalidate(_ clientId: Int64) {
        cache.invalidate(clientId)
    }

    private static func decode(_ row: PostgresRow) throws -> ClientRecord {
        guard let role = ClientRecord.Role(rawValue: try row.decode(String.self, "role")) else {
            throw PostgresError.decoding("unknown client role")
        }
        return ClientRecord(
            clientId: try row.decode(Int64.self, "client_id"),
            role: role,
            isActive: try row.decode(String.self, "status") == "active",
            secretHash: try row.decode(String.self, "secret_hash"),
            secretRotatedAt: try row.decode(Date.self, "secret_rotated_at"),
            apiKeyHash: try row.decode(String.self, "api_key_hash"),
            signatureRequired: try row.decode(Bool.self, "signature_required"),
            signatureSecretSealed: try row.decode(String?.self, "signature_secret_sealed"),
            vendorId: try row.decode(Int64?.self, "vendor_id"),
            rateLimitPerSecond: try row.decode(Int.self, "rate_limit_per_second"))
    }
}
