public import Postgres

/// Changes to the One API's integrations (`transact integrations …`, API.md §13). Each is one statement (run it in a
/// transaction with its audit record); a new key is returned once and only its SHA-256 is stored.
public struct IntegrationAdministration: Sendable {
    private let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownIntegration(Int64)
        case integrationExists(Int64)
        case unknownClient(Int64)

        public var description: String {
            switch self {
            case .unknownIntegration(let id): "no integration \(id)"
            case .integrationExists(let id): "integration \(id) exists already"
            case .unknownClient(let id): "no client \(id)"
            }
        }
    }

    /// Adds an integration of `clientId` on `channels` (6 SMS, 8 WhatsApp); its key.
    public func add(
        integrationId: Int64, clientId: Int64, name: String, channels: [Int64], statusCallbackURL: String?,
        replyCallbackURL: String?
    ) async throws -> String {
        guard try await database.query("SELECT 1 AS one FROM catalogue.clients WHERE client_id = \(clientId)").first != nil else {
            throw Failure.unknownClient(clientId)
        }
        let key = APIKey.generate()
        let inserted = try await database.query("""
            INSERT INTO notifications.integrations (integration_id, client_id, name, api_key_hash, channels,
                status_callback_url, reply_callback_url)
            VALUES (\(integrationId), \(clientId), \(name), \(APIKey.hash(key)), \(channels)::integer[], \(statusCallbackURL),
                    \(replyCallbackURL))
            ON CONFLICT (integration_id) DO NOTHING
            """)
        guard inserted.affectedRows == 1 else { throw Failure.integrationExists(integrationId) }
        return key
    }

    /// A new key; the old one stops working at once.
    public func rotateKey(integrationId: Int64) async throws -> String {
        let key = APIKey.generate()
        try await update(integrationId, """
            UPDATE notifications.integrations SET api_key_hash = \(APIKey.hash(key)), updated_at = now()
            WHERE integration_id = \(integrationId)
            """)
        return key
    }

    /// Disables an integration: its key is refused from then on.
    public func disable(integrationId: Int64) async throws {
        try await update(integrationId, """
            UPDATE notifications.integrations SET status = 'disabled', updated_at = now() WHERE integration_id = \(integrationId)
            """)
    }

    private func update(_ integrationId: Int64, _ statement: PostgresQuery) async throws {
        guard try await database.query(statement).affectedRows == 1 else { throw Failure.unknownIntegration(integrationId) }
    }
}
