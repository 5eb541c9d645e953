public import DatabaseMigrations
public import Foundation
public import Postgres
public import TransactCrypto

/// A database of its own for one test, on the throwaway cluster `scripts/test` starts (libpq finds it through the
/// `PGHOST`/`PGPORT`/`PGUSER`/`PGPASSWORD` variables that `pg_virtualenv` exports).
public struct TestDatabase: Sendable {
    public let name: String
    public let connectionString: String

    /// A database some other server holds (a `ReplicatedCluster`'s, say), by its name and connection string.
    public init(name: String, connectionString: String) {
        self.name = name
        self.connectionString = connectionString
    }

    /// The project's `Migrations/` folder.
    public static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Migrations")

    /// A fixed master key for tests (never a real deployment's).
    public static let masterKey = MasterKey(hex: String(repeating: "5a", count: 32))!

    /// The project's schema: its numbered migrations and its repeatable set.
    public static func projectSchema() throws -> DatabaseSchema {
        try DatabaseSchema.load(from: migrationsDirectory)
    }

    /// Creates a database, runs `body` with a client for it, then shuts the client down and drops the database.
    /// Unless `migrated` is false the database is a copy of `migratedTemplate` (the project's schema applied);
    /// otherwise it is empty.
    public static func with<T>(
        migrated: Bool = true,
        poolSize: Int = 4,
        _ body: (PostgresClient, TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await create(from: migrated ? migratedTemplate.value : nil)
        let client = PostgresClient(configuration: database.configuration(poolSize: poolSize))
        do {
            let result = try await body(client, database)
            await client.shutdown()
            await database.drop()
            return result
        } catch {
            await client.shutdown()
            await database.drop()
            throw error
        }
    }

    /// A database with the project's schema applied, made once per test process and copied by every migrated
    /// test's `CREATE DATABASE … TEMPLATE`. Migrating each test's database itself meant some seventy runs of every
    /// migration at once as the suite starts, and on two cores new connections then waited past libpq's connect
    /// timeout. Its name carries the schema's checksum, so a cluster kept between runs (`swift test` against a
    /// long-lived cluster) never hands out a copy of an older schema.
    static let migratedTemplate = Task<String, any Error> {
        let schema = try projectSchema()
        let name = "test_template_" + schema.checksum.prefix(16)
        let exists = try await withAdminClient { admin in
            !(try await admin.query("SELECT 1 AS one FROM pg_database WHERE datname = \(name)")).isEmpty
        }
        if exists { return name }

        // Built under a name of its own and renamed when complete, so that a process stopped half-way, or
        // another test process building at the same moment, never leaves a half-migrated template in use.
        let building = try await create(from: nil)
        let client = PostgresClient(configuration: building.configuration(poolSize: 1))
        do {
            try await MigrationRunner(client: client, schema: schema).migrate()
            await client.shutdown()
        } catch {
            await client.shutdown()
            await building.drop()
            throw error
        }
        do {
            try await withAdminClient { admin in
                try await admin.query("ALTER DATABASE \(unescaped: building.name) RENAME TO \(unescaped: name)")
            }
        } catch let error as PostgresError where error.sqlState == .duplicateDatabase {  // another process built it first
            await building.drop()
        }
        return name
    }

    public func configuration(poolSize: Int = 4) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: connectionString, poolSize: poolSize)
    }

    /// A new database: a copy of `template`, or empty.
    static func create(from template: String?) async throws -> TestDatabase {
        guard ProcessInfo.processInfo.environment["PGHOST"] != nil || ProcessInfo.processInfo.environment["PGPORT"] != nil
        else {
            throw TestDatabaseError.noCluster
        }
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withAdminClient { admin in
            if let template {
                try await admin.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: template)")
            } else {
                try await admin.query("CREATE DATABASE \(unescaped: name)")
            }
        }
        return TestDatabase(name: name, connectionString: "dbname=\(name) connect_timeout=\(connectTimeoutSeconds)")
    }

    func drop() async {
        _ = try? await Self.withAdminClient { admin in
            try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
        }
    }

    /// libpq's wait for a new connection in tests: the service's 5 s is for a database that is down, but the
    /// suite's cluster is up and only busy (two cores, many tests starting at once).
    static let connectTimeoutSeconds = 30

    @discardableResult
    private static func withAdminClient<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let admin = PostgresClient(
            configuration: PostgresConfiguration(
                connectionString: "dbname=postgres connect_timeout=\(connectTimeoutSeconds)", poolSize: 1))
        do {
            let result = try await body(admin)
            await admin.shutdown()
            return result
        } catch {
            await admin.shutdown()
            throw error
        }
    }
}

public enum TestDatabaseError: Error, CustomStringConvertible {
    case noCluster

    public var description: String {
        "no PostgreSQL cluster in the environment (PGHOST/PGPORT unset): run the tests with scripts/test"
    }
}
