public import Logging
public import Postgres

/// Applies a `DatabaseSchema` to a database and reports where a database stands.
///
/// The numbered migrations go first, each once, in version order; then the repeatable set, as a whole, whenever its
/// checksum is not the one last applied or a migration was just applied (a migration may have replaced a table, and
/// the triggers on it with it). Everything one run applies is one transaction: the database is at the schema it had
/// or at this one, never between (a migration that drops a function the old set's triggers use, and the new set
/// that replaces them, commit together), and a failure anywhere leaves it as it was.
///
/// Safe to run from several processes at once: a session-level advisory lock makes them take turns, and each
/// one re-reads what is applied after it gets the lock.
public struct MigrationRunner: Sendable {
    public let schema: DatabaseSchema
    private let client: PostgresClient
    private let logger: Logger

    public var migrations: [Migration] { schema.migrations }

    /// Key of the advisory lock that serialises migration runners (an arbitrary constant, "transact" in ASCII).
    static let advisoryLockKey: Int64 = 0x7472_616E_7361_6374

    /// The name under which the repeatable set stands among the pending parts of a schema.
    public static let repeatablePendingName = "repeatable/ (functions, triggers, views)"

    public init(client: PostgresClient, schema: DatabaseSchema, logger: Logger = Logger(label: "migrations")) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// A schema of numbered migrations only.
    public init(client: PostgresClient, migrations: [Migration], logger: Logger = Logger(label: "migrations")) {
        self.init(client: client, schema: DatabaseSchema(migrations: migrations), logger: logger)
    }

    /// Applies every pending migration in order, then the repeatable set when it is not current; returns the
    /// migrations applied by this call.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await client.withConnection { session in
            try await session.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            do {
                try await createBookkeeping(on: session)
                let pending = try await pending(on: session)
                let repeatableNeeded = try await !repeatableIsCurrent(on: session) || !pending.isEmpty
                if !pending.isEmpty || repeatableNeeded {
                    try await session.execute(script: "BEGIN")
                    do {
                        try await apply(pending, on: session)
                        if repeatableNeeded { try await applyRepeatable(on: session) }
                        try await session.execute(script: "COMMIT")
                    } catch {
                        _ = try? await session.execute(script: "ROLLBACK")
                        throw error
                    }
                }
                try await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                return pending
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

    /// What `migrate` would apply, by name: the pending migrations' files, and the repeatable set when the database
    /// has another one (or none).
    public func pendingParts() async throws -> [String] {
        try await client.withConnection { session in
            let migrations = try await pending(on: session).map(\.fileName)
            return try await repeatableIsCurrent(on: session) ? migrations : migrations + [Self.repeatablePendingName]
        }
    }

    /// Throws `MigrationError.pending` unless the database is exactly current, repeatable set included.
    public func requireCurrent() async throws {
        let pending = try await pendingParts()
        guard pending.isEmpty else { throw MigrationError.pending(pending) }
    }

    private func createBookkeeping(on session: PostgresSession) async throws {
        try await session.execute(script: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE IF NOT EXISTS schema_repeatable (
                only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    /// Applies the migrations in order, each recorded with its checksum, inside the caller's transaction.
    private func apply(_ migrations: [Migration], on session: PostgresSession) async throws {
        for migration in migrations {
            logger.info("Applying migration", metadata: ["file": "\(migration.fileName)"])
            do {
                try await session.execute(script: migration.sql)
                try await session.query("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
            } catch {
                throw MigrationError.failed(file: migration.fileName, reason: "\(error)")
            }
        }
    }

    /// Applies every repeatable file in order, inside the caller's transaction, and records the set's checksum.
    /// Function bodies are not checked as they are created (they are when they run), so a file may call a function
    /// of a later one.
    private func applyRepeatable(on session: PostgresSession) async throws {
        logger.info("Applying the repeatable set", metadata: ["files": "\(schema.repeatable.files.count)"])
        var current = "check_function_bodies"
        do {
            try await session.execute(script: "SET LOCAL check_function_bodies = off")
            for file in schema.repeatable.files {
                current = file.name
                try await session.execute(script: file.sql)
            }
            current = "schema_repeatable"
            try await session.query("""
                INSERT INTO schema_repeatable (checksum) VALUES (\(schema.repeatable.checksum))
                ON CONFLICT (only_row) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
                """)
        } catch {
            throw MigrationError.repeatableFailed(file: "\(RepeatableSQL.folderName)/\(current)", reason: "\(error)")
        }
    }

    /// Whether the database's repeatable set is this schema's.
    private func repeatableIsCurrent(on session: PostgresSession) async throws -> Bool {
        let row = try await session.query("""
            SELECT to_regclass('schema_repeatable') IS NOT NULL AS present
            """).single()
        guard try row.decode(Bool.self, "present") else { return schema.repeatable.files.isEmpty }
        let applied = try await session.query("SELECT checksum FROM schema_repeatable").first?.decode(String.self, "checksum")
        return applied == schema.repeatable.checksum || (applied == nil && schema.repeatable.files.isEmpty)
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
