public import Postgres
public import TransactCrypto

/// Whether this process's master key opens the secrets sealed in the database. A process started with another key
/// would still become ready and claim work it can only fail (every bank call, vend and token it signs needs a
/// sealed secret), delaying each job it claims by a whole lease; so `serve` refuses to start instead.
///
/// One sealed value of each kind is opened: the active signing key and the newest client, funding source and
/// vendor secret. A database with none (before the first seed) has nothing to check.
public struct MasterKeyCheck: Sendable {
    private let database: PostgresClient
    private let sealer: SecretSealer

    public init(database: PostgresClient, masterKey: MasterKey) {
        self.database = database
        self.sealer = SecretSealer(masterKey: masterKey)
    }

    /// A master key that does not open a sealed secret, naming which.
    public struct Mismatch: Error, CustomStringConvertible {
        public let purpose: String

        public var description: String {
            "TRANSACT_MASTER_KEY does not open the secrets sealed in this database (the first that failed: \(purpose)); "
                + "start with the master key they were sealed under"
        }
    }

    public func requireOpensSealedSecrets() async throws {
        // Each purpose is built as the code that seals the value builds it (SigningKeyStore, SeedLoader).
        let rows = try await database.query("""
            (SELECT 'signing-key:' || kid AS purpose, private_key_sealed AS sealed
             FROM catalogue.signing_keys WHERE retired_at IS NULL)
            UNION ALL
            (SELECT 'client:' || client_id || ':signature', signature_secret_sealed
             FROM catalogue.clients WHERE signature_secret_sealed IS NOT NULL ORDER BY client_id DESC LIMIT 1)
            UNION ALL
            (SELECT 'funding-source:' || funding_source_id || ':auth', auth_secret_sealed
             FROM catalogue.funding_sources WHERE auth_secret_sealed IS NOT NULL ORDER BY funding_source_id DESC LIMIT 1)
            UNION ALL
            (SELECT 'vendor:' || vendor_id || ':auth', auth_secret_sealed
             FROM catalogue.vendors WHERE auth_secret_sealed IS NOT NULL ORDER BY vendor_id DESC LIMIT 1)
            """)
        for row in rows {
            let purpose = try row.decode(String.self, "purpose")
            do {
                _ = try sealer.open(try row.decode(String.self, "sealed"), purpose: purpose)
            } catch {
                throw Mismatch(purpose: purpose)
            }
        }
    }
}
