public import Logging
public import Postgres

/// Applies migrations to a database and reports where a database stands.
///
/// Safe to run from several processes at once: a session-level advisory lock makes them take turns, and each
/// one re-reads what is applied after it gets the lock.
public struct MigrationRunner: Sendable {
    public let migrations: [Migration]
    private let client: PostgresClient
    private let logger: Logger

    /// Key of the advisory lock that serialises migration runners (an arbitrary constant, "transact" in ASCII).
    static let advisoryLockKey: Int64 = 0x7472_616E_7361_6374

    public init(client: PostgresClient, migrations: [Migration], logger: Logger = Logger(label: "migrations")) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every pending migration in order; returns those applied by this call.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await client.withConnection { session in
            try await session.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            do {
                let applied = try await apply(on: session)
                try await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                return applied
            } catch {
                _ = try? await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                throw error
            }
        }
    }

    /// The migrations this build has that the database lacks, after checking the applied ones are unchanged.
    public func pendingMigrations() async throws -> [Migration] {
        try await client.withConnection { session in
            try await pending(on: session)
        }
    }

    /// Throws `MigrationError.pending` unless the database is exactly current.
    public func requireCurrent() async throws {
        let pending = try await pendingMigrations()
        guard pending.isEmpty else { throw MigrationError.pending(pending.map(\.fileName)) }
    }

    private func apply(on session: PostgresSession) async throws -> [Migration] {
        try await session.execute(script: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let pending = try await pending(on: session)
        for migration in pending {
            logger.info("Applying migration", metadata: ["file": "\(migration.fileName)"])
            do {
                try await session.execute(script: "BEGIN")
                try await session.execute(script: migration.sql)
                try await session.query("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
                try await session.execute(script: "COMMIT")
            } catch {
                _ = try? await session.execute(script: "ROLLBACK")
                throw MigrationError.failed(file: migration.fileName, reason: "\(error)")
            }
        }
        return pending
    }

    private func pending(on session: PostgresSession) async throws -> [Migration] {
        let exists = try await session.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").single()
        guard try exists.decode(Bool.self, "present") else { return migrations }
        let rows = try await session.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        var appliedVersions = Set<Int>()
        for row in rows {
            let version = try row.decode(Int.self, "version")
            let checksum = try row.decode(String.self, "checksum")
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw MigrationError.unknownApplied(version: version, name: try row.decode(String.self, "name"))
            }
            guard migration.checksum == checksum else {
                throw MigrationError.checksumChanged(file: migration.fileName, applied: checksum, now: migration.checksum)
            }
            appliedVersions.insert(version)
        }
        return migrations.filter { !appliedVersions.contains($0.version) }
    }
}
