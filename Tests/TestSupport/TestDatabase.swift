public import DatabaseMigrations
public import Foundation
public import Postgres
public import TransactCrypto

/// A database of its own for one test, on the throwaway cluster `scripts/test` starts (libpq finds it through the
/// `PGHOST`/`PGPORT`/`PGUSER`/`PGPASSWORD` variables that `pg_virtualenv` exports).
public struct TestDatabase: Sendable {
    public let name: String
    public let connectionString: String

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

    /// Creates an empty database, runs `body` with a client for it (and the project's migrations applied unless
    /// `migrated` is false), then shuts the client down and drops the database.
    public static func with<T>(
        migrated: Bool = true,
        poolSize: Int = 4,
        _ body: (PostgresClient, TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await create()
        let client = PostgresClient(configuration: database.configuration(poolSize: poolSize))
        do {
            if migrated {
                try await MigrationRunner(client: client, schema: projectSchema()).migrate()
            }
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

    public func configuration(poolSize: Int = 4) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: connectionString, poolSize: poolSize)
    }

    static func create() async throws -> TestDatabase {
        guard ProcessInfo.processInfo.environment["PGHOST"] != nil || ProcessInfo.processInfo.environment["PGPORT"] != nil
        else {
            throw TestDatabaseError.noCluster
        }
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withAdminClient { admin in
            try await admin.query("CREATE DATABASE \(unescaped: name)")
        }
        return TestDatabase(name: name, connectionString: "dbname=\(name)")
    }

    func drop() async {
        try? await Self.withAdminClient { admin in
            try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
        }
    }

    private static func withAdminClient(_ body: (PostgresClient) async throws -> Void) async throws {
        let admin = PostgresClient(configuration: PostgresConfiguration(connectionString: "dbname=postgres", poolSize: 1))
        do {
            try await body(admin)
            await admin.shutdown()
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
