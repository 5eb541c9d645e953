public import Postgres

/// Onboarding changes to single clients (`transact clients …`). Each is one statement (run it in a transaction
/// with its audit record); the new secret or key is returned once and only its hash is stored.
public struct ClientAdministration: Sendable {
    private let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    public struct NewClient: Sendable {
        public let clientId: Int64
        public let clientSecret: String
        public let apiKey: String
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownClient(Int64)
        case clientExists(Int64)

        public var description: String {
            switch self {
            case .unknownClient(let id): "no client \(id)"
            case .clientExists(let id): "client \(id) exists already"
            }
        }
    }

    /// Adds a client (role client, support or admin; vendor users need a vendor and come from a seed file).
    public func add(clientId: Int64, name: String, role: ClientRecord.Role, rateLimitPerSecond: Int = 100) async throws -> NewClient {
        precondition(role != .vendor, "vendor users are added through a seed file, with their vendorId")
        let secret = APIKey.generateSecret()
        let key = APIKey.generate()
        let secretHash = try await ClientSecretHash.makeOffloaded(secret: secret)
        let inserted = try await database.query("""
            INSERT INTO catalogue.clients (client_id, name, role, secret_hash, api_key_hash, rate_limit_per_second)
            VALUES (\(clientId), \(name), \(role.rawValue), \(secretHash), \(APIKey.hash(key)), \(Int32(rateLimitPerSecond)))
            ON CONFLICT (client_id) DO NOTHING
            """)
        guard inserted.affectedRows == 1 else { throw Failure.clientExists(clientId) }
        return NewClient(clientId: clientId, clientSecret: secret, apiKey: key)
    }

    /// A new secret; every token issued before it is revoked.
    public func rotateSecret(clientId: Int64) async throws -> String {
        let secret = APIKey.generateSecret()
        let hash = try await ClientSecretHash.makeOffloaded(secret: secret)
        try await update(clientId, "UPDATE catalogue.clients SET secret_hash = \(hash), secret_rotated_at = now(), updated_at = now() WHERE client_id = \(clientId)")
        return secret
    }

    public func rotateAPIKey(clientId: Int64) async throws -> String {
        let key = APIKey.generate()
        try await update(clientId, "UPDATE catalogue.clients SET api_key_hash = \(APIKey.hash(key)), updated_at = now() WHERE client_id = \(clientId)")
        return key
    }

    /// Disables a client: no new tokens, and its existing tokens are refused.
    public func disable(clientId: Int64) async throws {
        try await update(clientId, "UPDATE catalogue.clients SET status = 'disabled', updated_at = now() WHERE client_id = \(clientId)")
    }

    private func update(_ clientId: Int64, _ statement: PostgresQuery) async throws {
        guard try await database.query(statement).affectedRows == 1 else { throw Failure.unknownClient(clientId) }
    }
}
