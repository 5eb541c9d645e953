public import Logging
public import Postgres

/// Applies a `DatabaseSchema` to a database and reports where a database stands (`SchemaStanding`).
///
/// The numbered migrations go first, each once, in version order; then the repeatable set, as a whole, whenever its
/// checksum is not the one last applied or a migration was just applied (a migration may have replaced a table, and
/// the triggers on it with it). Everything one run applies is one transaction: the database is at the schema it had
/// or at this one, never between (a migration that drops a function the old set's triggers use, and the new set
/// that replaces them, commit together), and a failure anywhere leaves it as it was. The one exception is a
/// migration marked to run outside a transaction (`Migration.runsInTransaction`): what comes before it commits
/// first, it runs alone, and the rest of the run is a transaction again.
///
/// Every statement waits at most `lockTimeoutMs` for a lock (`lock_timeout`): a migration that needs a table busy
/// with long transactions fails at once and leaves the database as it was, instead of queueing every request behind
/// its lock.
///
/// A database migrated by a newer build (a rolling deploy) is left alone: `migrate` applies nothing and the
/// standing is `ahead`, which `serve` and readiness accept.
///
/// Safe to run from several processes at once: a session-level advisory lock makes them take turns, and each
/// one re-reads what is applied after it gets the lock.
public struct MigrationRunner: Sendable {
    public let schema: DatabaseSchema
    private let client: PostgresClient
    private let logger: Logger
    private let lockTimeoutMs: Int

    public var migrations: [Migration] { schema.migrations }

    /// Key of the advisory lock that serialises migration runners (an arbitrary constant, "transact" in ASCII).
    static let advisoryLockKey: Int64 = 0x7472_616E_7361_6374

    /// The name under which the repeatable set stands among the pending parts of a schema.
    public static let repeatablePendingName = "repeatable/ (functions, triggers, views)"
    /// The name under which a newer build's repeatable set stands among the newer parts of a database.
    public static let repeatableNewerName = "repeatable/ of a newer build"
    /// How long a migration's statement waits for a lock unless told otherwise.
    public static let defaultLockTimeoutMs = 5_000

    public init(
        client: PostgresClient, schema: DatabaseSchema, lockTimeoutMs: Int = Self.defaultLockTimeoutMs,
        logger: Logger = Logger(label: "migrations")
    ) {
        self.client = client
        self.schema = schema
        self.lockTimeoutMs = lockTimeoutMs
        self.logger = logger
    }

    /// A schema of numbered migrations only.
    public init(client: PostgresClient, migrations: [Migration], logger: Logger = Logger(label: "migrations")) {
        self.init(client: client, schema: DatabaseSchema(migrations: migrations), logger: logger)
    }

    /// Applies every pending migration in order, then the repeatable set when it is not current; returns the
    /// migrations applied by this call (none when the database is ahead of this build).
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await client.withConnection { session in
            try await session.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            do {
                try await createBookkeeping(on: session)
                let applied = try await migrate(on: session)
                try await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                return applied
            } catch {
                _ = try? await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                throw error
            }
        }
    }

    /// Where the database stands against this build's schema, after checking the applied migrations are unchanged.
    public func standing() async throws -> SchemaStanding {
        try await client.withConnection { session in try await standing(on: session) }
    }

    /// The migrations this build has that the database lacks, after checking the applied ones are unchanged.
    public func pendingMigrations() async throws -> [Migration] {
        try await client.withConnection { session in try await inspect(on: session).pending }
    }

    /// Throws `MigrationError.pending` unless the database can be served by this build: exactly current, or
    /// migrated ahead by a newer one. Returns which.
    @discardableResult
    public func requireServable() async throws -> SchemaStanding {
        let standing = try await standing()
        if case .behind(let pending) = standing { throw MigrationError.pending(pending) }
        return standing
    }

    private func migrate(on session: PostgresSession) async throws -> [Migration] {
        let inspection = try await inspect(on: session)
        switch Self.standing(of: inspection, repeatable: try await repeatableStanding(on: session)) {
        case .current:
            return []
        case .ahead(let newer):
            logger.notice("The database is ahead of this build; nothing to apply", metadata: ["newer": "\(newer)"])
            return []
        case .behind:
            break
        }
        // Runs of migrations that share a transaction, split around each one that must run on its own.
        var applied: [Migration] = []
        var batch: [Migration] = []
        for migration in inspection.pending {
            if migration.runsInTransaction {
                batch.append(migration)
                continue
            }
            if !batch.isEmpty { try await inTransaction(on: session) { try await apply(batch, on: session) } }
            applied += batch
            batch = []
            try await applyAlone(migration, on: session)
            applied.append(migration)
        }
        try await inTransaction(on: session) {
            try await apply(batch, on: session)
            try await applyRepeatable(on: session)
        }
        return applied + batch
    }

    private func inTransaction(on session: PostgresSession, _ body: () async throws -> Void) async throws {
        try await session.execute(script: "BEGIN; SET LOCAL lock_timeout = \(lockTimeoutMs)")
        do {
            try await body()
            try await session.execute(script: "COMMIT")
        } catch {
            _ = try? await session.execute(script: "ROLLBACK")
            throw error
        }
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
            );
            CREATE TABLE IF NOT EXISTS schema_repeatable_superseded (
                checksum text PRIMARY KEY,
                superseded_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    /// Applies the migrations in order, each recorded with its checksum, inside the caller's transaction.
    private func apply(_ migrations: [Migration], on session: PostgresSession) async throws {
        for migration in migrations {
            logger.info("Applying migration", metadata: ["file": "\(migration.fileName)"])
            do {
                try await session.execute(script: migration.sql)
                try await record(migration, on: session)
            } catch {
                throw MigrationError.failed(file: migration.fileName, reason: Self.reason(error, lockTimeoutMs: lockTimeoutMs))
            }
        }
    }

    /// Runs a migration marked `-- transact:no-transaction` outside any transaction, as one statement, then records
    /// it. A failure leaves the migrations before it applied and this one pending.
    private func applyAlone(_ migration: Migration, on session: PostgresSession) async throws {
        logger.info("Applying migration outside a transaction", metadata: ["file": "\(migration.fileName)"])
        do {
            try await session.execute(script: "SET lock_timeout = \(lockTimeoutMs)")
            try await session.query(PostgresQuery(sql: migration.sql))
            try await session.execute(script: "RESET lock_timeout")
            try await record(migration, on: session)
        } catch {
            _ = try? await session.execute(script: "RESET lock_timeout")
            throw MigrationError.failed(
                file: migration.fileName,
                reason: Self.reason(error, lockTimeoutMs: lockTimeoutMs) + " (it runs outside a transaction, as exactly one statement)")
        }
    }

    private func record(_ migration: Migration, on session: PostgresSession) async throws {
        try await session.query("""
            INSERT INTO schema_migrations (version, name, checksum)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum))
            """)
    }

    /// A failure's reason, saying what to do when it was the lock timeout.
    static func reason(_ error: any Error, lockTimeoutMs: Int) -> String {
        guard (error as? PostgresError)?.sqlState == .lockNotAvailable else { return "\(error)" }
        return "\(error); a lock was not granted within \(lockTimeoutMs) ms (lock_timeout): something holds the table, "
            + "try again when it is quieter or with a longer database.migrationLockTimeoutMs"
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
            // The set this one replaces is remembered, so that a process of the build it came from knows the database
            // is ahead of it (and does not put its older functions back), not behind.
            try await session.query("""
                INSERT INTO schema_repeatable_superseded (checksum)
                SELECT checksum FROM schema_repeatable WHERE checksum <> \(schema.repeatable.checksum)
                ON CONFLICT (checksum) DO NOTHING
                """)
            try await session.query("""
                INSERT INTO schema_repeatable (checksum) VALUES (\(schema.repeatable.checksum))
                ON CONFLICT (only_row) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
                """)
        } catch {
            throw MigrationError.repeatableFailed(file: "\(RepeatableSQL.folderName)/\(current)", reason: "\(error)")
        }
    }

    /// Where the database's repeatable set stands against this schema's.
    private enum RepeatableStanding {
        case current
        /// This schema's set was applied and then replaced by another build's.
        case superseded
        /// Never applied here, or replaced by a later migrate of this build's lineage: this set is to apply.
        case pending
    }

    private func repeatableStanding(on session: PostgresSession) async throws -> RepeatableStanding {
        let row = try await session.query("""
            SELECT to_regclass('schema_repeatable') IS NOT NULL AS present,
                   to_regclass('schema_repeatable_superseded') IS NOT NULL AS history
            """).single()
        guard try row.decode(Bool.self, "present") else { return schema.repeatable.files.isEmpty ? .current : .pending }
        let applied = try await session.query("SELECT checksum FROM schema_repeatable").first?.decode(String.self, "checksum")
        if applied == schema.repeatable.checksum || (applied == nil && schema.repeatable.files.isEmpty) { return .current }
        guard try row.decode(Bool.self, "history") else { return .pending }
        let replaced = try await session.query("""
            SELECT EXISTS (SELECT FROM schema_repeatable_superseded WHERE checksum = \(schema.repeatable.checksum)) AS replaced
            """).single()
        return try replaced.decode(Bool.self, "replaced") ? .superseded : .pending
    }

    private func standing(on session: PostgresSession) async throws -> SchemaStanding {
        Self.standing(of: try await inspect(on: session), repeatable: try await repeatableStanding(on: session))
    }

    private static func standing(
        of inspection: (pending: [Migration], newer: [String]), repeatable: RepeatableStanding
    ) -> SchemaStanding {
        if !inspection.pending.isEmpty {
            return .behind(pending: inspection.pending.map(\.fileName) + (repeatable == .current ? [] : [Self.repeatablePendingName]))
        }
        if !inspection.newer.isEmpty || repeatable == .superseded {
            return .ahead(newer: inspection.newer + (repeatable == .superseded ? [Self.repeatableNewerName] : []))
        }
        return repeatable == .current ? .current : .behind(pending: [Self.repeatablePendingName])
    }

    /// The migrations this build has that the database lacks, and the files of the newer migrations the database
    /// has that this build does not know. Refuses an applied migration whose file changed, and an unknown one that
    /// is not newer than everything this build knows (another lineage, not a newer build).
    private func inspect(on session: PostgresSession) async throws -> (pending: [Migration], newer: [String]) {
        let exists = try await session.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").single()
        guard try exists.decode(Bool.self, "present") else { return (migrations, []) }
        let rows = try await session.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        let newest = migrations.last?.version ?? 0
        var appliedVersions = Set<Int>()
        var newer: [(version: Int, name: String)] = []
        for row in rows {
            let version = try row.decode(Int.self, "version")
            let checksum = try row.decode(String.self, "checksum")
            guard let migration = migrations.first(where: { $0.version == version }) else {
                let name = try row.decode(String.self, "name")
                guard version > newest else { throw MigrationError.unknownApplied(version: version, name: name) }
                newer.append((version, name))
                continue
            }
            guard migration.checksum == checksum else {
                throw MigrationError.checksumChanged(file: migration.fileName, applied: checksum, now: migration.checksum)
            }
            appliedVersions.insert(version)
        }
        let pending = migrations.filter { !appliedVersions.contains($0.version) }
        // A newer build applies every migration this one knows before its own: a gap means another lineage.
        if let first = newer.first, !pending.isEmpty {
            throw MigrationError.unknownApplied(version: first.version, name: first.name)
        }
        return (pending, newer.map { Migration.fileName(version: $0.version, name: $0.name) })
    }
}
