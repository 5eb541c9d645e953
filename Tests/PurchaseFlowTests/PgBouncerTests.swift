import Foundation
import Postgres
import Server
import TestSupport
import Testing

/// The service with `database.url` on a real PgBouncer 1.18 in transaction mode and `database.directUrl` on the
/// database itself (DESIGN.md, issue 15): no named prepared statements, no startup options, no session `SET`;
/// LISTEN and migrations on the direct URL.
@Suite("Behind PgBouncer in transaction mode")
struct PgBouncerTests {
    /// `database.url` moved onto the PgBouncer at `port`, with the two switches PgBouncer 1.18 needs.
    static func throughPgBouncer(_ configuration: inout ServerConfiguration, port: Int) {
        configuration.databaseURL += " host=127.0.0.1 port=\(port)"
        configuration.databasePreparedStatements = false
        configuration.databaseStartupOptions = false
    }

    @Test("purchases complete through PgBouncer: each reserved, vended and delivered once, the ledger balanced")
    func purchasesThroughPgBouncer() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: PgBouncerProcess.executable), "scripts/install-dependencies --test installs pgbouncer")
        let bouncer = try await PgBouncerProcess()
        let sessionDefaults = try #require(try TestDatabase.projectSchema().migrations.first { $0.name == "session_defaults" })
        try await PurchaseHarness.with(
            // A test database is a copy of a migrated template, and a copy does not keep its template's
            // `ALTER DATABASE … SET`s: the migration that makes them runs again on this one.
            prepare: { simulators in
                _ = try await simulators.db.withConnection { try await $0.execute(script: sessionDefaults.sql) }
            },
            adjust: { configuration in
                configuration.databaseDirectURL = configuration.databaseURL
                Self.throughPgBouncer(&configuration, port: bouncer.port)
            }
        ) { harness in
            var configuration = ServerConfiguration()
            configuration.databaseURL = harness.database.connectionString
            Self.throughPgBouncer(&configuration, port: bouncer.port)
            // A session through PgBouncer has the settings the decoders need, from the database's defaults.
            let pooled = PostgresClient(configuration: configuration.postgres)
            try await pooled.requireSessionSettings()
            // PgBouncer 1.18 refuses startup options outright: why they are switched off behind it.
            configuration.databaseStartupOptions = true
            let withOptions = PostgresClient(configuration: configuration.postgres)
            await #expect(throws: PostgresError.self) { try await withOptions.query("SELECT 1") }
            await withOptions.shutdown()

            let references = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<12 { group.addTask { try await harness.reserveAndTransact().raasTxnRef } }
                return try await group.reduce(into: [String]()) { if let reference = $1 { $0.append(reference) } }
            }
            #expect(references.count == 12)
            for reference in references {
                let done = try await harness.waitFor(reference, seconds: 30)
                #expect(done.state == "success" && done.delivery == "acknowledged", "\(reference): \(done)")
                #expect(harness.bank.reserveCount(reference) == 1)
                #expect(harness.vendor.references(reference).count == 1)
                #expect(harness.bank.resultBodies(reference).count == 1)
            }
            #expect(try await harness.ledgerViolations() == [])
            // The service's statements went through PgBouncer (its own count of transactions for this database).
            let stats = try await bouncer.admin("SHOW STATS")
            let transactions = stats.split(separator: "\n").first { $0.hasPrefix(harness.database.name + "|") }
                .flatMap { Int($0.split(separator: "|")[1]) } ?? 0
            #expect(transactions > 12 * 3, "\(stats)")
            // Nothing was left on a server connection for the next client: no session ever made a temporary table
            // (PgBouncer's server connections are still open, so any would still be listed).
            let temporary = try await harness.db.query("SELECT count(*) AS tables FROM pg_class WHERE relpersistence = 't'")
                .single().decode(Int.self, "tables")
            #expect(temporary == 0)
            await pooled.shutdown()
        }
    }

    @Test("a database without the session defaults is refused behind PgBouncer, naming the settings it lacks")
    func sessionSettingsChecked() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: PgBouncerProcess.executable), "scripts/install-dependencies --test installs pgbouncer")
        let bouncer = try await PgBouncerProcess()
        // A test database is a copy of the migrated template, without the template's `ALTER DATABASE … SET`s: the
        // state of a database whose migrating role could not set them.
        try await TestDatabase.with { _, database in
            var configuration = ServerConfiguration()
            configuration.databaseURL = database.connectionString
            Self.throughPgBouncer(&configuration, port: bouncer.port)
            let pooled = PostgresClient(configuration: configuration.postgres)
            await #expect {
                try await pooled.requireSessionSettings()
            } throws: { error in
                guard let mismatch = error as? PostgresClient.SessionSettingsMismatch else { return false }
                return mismatch.differences.contains { $0.name == "extra_float_digits" }
                    && "\(mismatch)".contains("database.startupOptions: false")
            }
            await pooled.shutdown()
            // Directly, with startup options, the same database has them.
            let direct = PostgresClient(configuration: PostgresConfiguration(connectionString: database.connectionString, poolSize: 1))
            try await direct.requireSessionSettings()
            await direct.shutdown()
        }
    }
}
