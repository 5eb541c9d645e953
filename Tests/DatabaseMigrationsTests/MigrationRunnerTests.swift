import DatabaseMigrations
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Migrations")
struct MigrationRunnerTests {
    /// A folder of migration files for one test, removed when the test lets go of it.
    final class Folder: Sendable {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")

        init(_ files: [String: String]) throws {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (name, sql) in files { try write(name, sql) }
        }

        func write(_ name: String, _ sql: String) throws {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try sql.write(to: file, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        func migrations() throws -> [Migration] { try Migration.load(from: url) }
        func schema() throws -> DatabaseSchema { try DatabaseSchema.load(from: url) }
    }

    @Test("files apply in version order, each once, recorded with its checksum")
    func appliesInOrder() async throws {
        let folder = try Folder([
            "0002_add_rows.sql": "INSERT INTO widgets (name) VALUES ('first');",
            "0001_create_widgets.sql": "CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL);",
            "0010_more.sql": "ALTER TABLE widgets ADD COLUMN colour text; UPDATE widgets SET colour = 'red';",
            "README.txt": "not a migration",
        ])
        try await TestDatabase.with(migrated: false) { db, _ in
            let runner = MigrationRunner(client: db, migrations: try folder.migrations())
            #expect(try await runner.pendingMigrations().map(\.version) == [1, 2, 10])
            let applied = try await runner.migrate()
            #expect(applied.map(\.fileName) == ["0001_create_widgets.sql", "0002_add_rows.sql", "0010_more.sql"])
            #expect(try await runner.migrate().isEmpty)
            try await runner.requireServable()
            let rows = try await db.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            #expect(try rows.map { try $0.decode(Int.self, "version") } == [1, 2, 10])
            #expect(try rows[0].decode(String.self, "checksum") == (try folder.migrations())[0].checksum)
            let colour = try await db.query("SELECT colour FROM widgets").single().decode(String.self, "colour")
            #expect(colour == "red")
        }
    }

    @Test("an applied migration whose file changed is refused, naming the file")
    func checksumRefusal() async throws {
        let folder = try Folder(["0001_create.sql": "CREATE TABLE things (id int);"])
        try await TestDatabase.with(migrated: false) { db, _ in
            try await MigrationRunner(client: db, migrations: try folder.migrations()).migrate()
            try folder.write("0001_create.sql", "CREATE TABLE things (id bigint);")
            try folder.write("0002_next.sql", "CREATE TABLE next (id int);")
            let runner = MigrationRunner(client: db, migrations: try folder.migrations())
            await #expect {
                try await runner.migrate()
            } throws: { error in
                guard case .checksumChanged(let file, _, _) = error as? MigrationError else { return false }
                return file == "0001_create.sql" && "\(error)".contains("0001_create.sql")
            }
            await #expect(throws: MigrationError.self) { try await runner.requireServable() }
            // Nothing after the refusal ran.
            #expect(try await db.query("SELECT to_regclass('next') IS NULL AS absent").single().decode(Bool.self, "absent"))
        }
    }

    @Test("a failing migration stops the run, and the run's migrations are rolled back together")
    func failureRollsBack() async throws {
        let folder = try Folder([
            "0001_ok.sql": "CREATE TABLE a (id int);",
            "0002_broken.sql": "CREATE TABLE b (id int); INSERT INTO b VALUES ('not a number');",
            "0003_never.sql": "CREATE TABLE c (id int);",
        ])
        try await TestDatabase.with(migrated: false) { db, _ in
            let runner = MigrationRunner(client: db, migrations: try folder.migrations())
            await #expect {
                try await runner.migrate()
            } throws: { error in
                guard case .failed(let file, _) = error as? MigrationError else { return false }
                return file == "0002_broken.sql"
            }
            let tables = try await db.query("""
                SELECT to_regclass('a') IS NOT NULL AS a, to_regclass('b') IS NOT NULL AS b, to_regclass('c') IS NOT NULL AS c
                """).single()
            // The database is as it was: not half way to the schema.
            #expect(try !tables.decode(Bool.self, "a"))
            #expect(try !tables.decode(Bool.self, "b"))
            #expect(try !tables.decode(Bool.self, "c"))
            #expect(try await runner.pendingMigrations().map(\.version) == [1, 2, 3])
            await #expect {
                try await runner.requireServable()
            } throws: { error in
                "\(error)".contains("transact migrate") && "\(error)".contains("0002_broken.sql")
            }
        }
    }

    @Test("several runners started at once apply each migration exactly once")
    func concurrentRunners() async throws {
        let folder = try Folder([
            "0001_slow.sql": "SELECT pg_sleep(0.3); CREATE TABLE once (id int);",
            "0002_count.sql": "CREATE TABLE applied_marks (mark int); INSERT INTO applied_marks VALUES (1);",
        ])
        try await TestDatabase.with(migrated: false) { _, database in
            let clients = (0..<4).map { _ in PostgresClient(configuration: database.configuration(poolSize: 1)) }
            let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
                for client in clients {
                    group.addTask { try await MigrationRunner(client: client, migrations: try folder.migrations()).migrate().count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(appliedCounts.sorted() == [0, 0, 0, 2])
            let marks = try await clients[0].query("SELECT count(*) AS n FROM applied_marks").single().decode(Int.self, "n")
            #expect(marks == 1)
            for client in clients { await client.shutdown() }
        }
    }

    @Test("a database a newer build migrated is served and left alone; another line of migrations, and badly named or duplicate files, are refused")
    func newerDatabaseAndRefusals() async throws {
        let folder = try Folder(["0001_a.sql": "CREATE TABLE a (id int);", "0002_b.sql": "CREATE TABLE b (id int);"])
        try await TestDatabase.with(migrated: false) { db, _ in
            try await MigrationRunner(client: db, migrations: try folder.migrations()).migrate()
            // The build before 0002 (a rolling deploy's old processes): the database is ahead, which it serves.
            let older = MigrationRunner(client: db, migrations: [try folder.migrations()[0]])
            #expect(try await older.standing() == .ahead(newer: ["0002_b.sql"]))
            #expect(try await older.requireServable() == .ahead(newer: ["0002_b.sql"]))
            #expect(try await older.migrate().isEmpty)
            #expect(try await db.query("SELECT count(*) AS n FROM schema_migrations").single().decode(Int.self, "n") == 2)
            // A build that knows 0003 but not 0002 is of another line: refused, not served.
            let otherLine = MigrationRunner(client: db, migrations: [
                try folder.migrations()[0], Migration(version: 3, name: "c", sql: "CREATE TABLE c (id int);"),
            ])
            await #expect {
                try await otherLine.requireServable()
            } throws: { error in
                guard case .unknownApplied(2, "b") = error as? MigrationError else { return false }
                return "\(error)".contains("0002_b.sql")
            }
            await #expect(throws: MigrationError.unknownApplied(version: 2, name: "b")) { try await otherLine.migrate() }
            #expect(try await db.query("SELECT to_regclass('c') IS NULL AS absent").single().decode(Bool.self, "absent"))
        }
        #expect(throws: MigrationError.badFileName("1_short.sql")) { try Folder(["1_short.sql": ""]).migrations() }
        #expect(throws: MigrationError.badFileName("0001_Upper.sql")) { try Folder(["0001_Upper.sql": ""]).migrations() }
        #expect(throws: MigrationError.self) { try Folder(["0001_a.sql": "", "0001_b.sql": ""]).migrations() }
    }

    @Test("a rolling deploy that changes only functions: the older build sees the database ahead and does not put its functions back")
    func newerRepeatableSet() async throws {
        let migration = "CREATE TABLE widgets (id int);"
        let old = try Folder([
            "0001_widgets.sql": migration,
            "repeatable/01_answer.sql": "CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
        ])
        let new = try Folder([
            "0001_widgets.sql": migration,
            "repeatable/01_answer.sql": "CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;",
        ])
        func answer(_ db: PostgresClient) async throws -> Int {
            try await db.query("SELECT answer() AS n").single().decode(Int.self, "n")
        }
        try await TestDatabase.with(migrated: false) { db, _ in
            let oldBuild = MigrationRunner(client: db, schema: try old.schema())
            let newBuild = MigrationRunner(client: db, schema: try new.schema())
            try await oldBuild.migrate()
            // Before the new build migrates, it is the one behind.
            #expect(try await newBuild.standing() == .behind(pending: [MigrationRunner.repeatablePendingName]))
            try await newBuild.migrate()
            #expect(try await answer(db) == 2)
            #expect(try await newBuild.standing() == .current)
            #expect(try await oldBuild.standing() == .ahead(newer: [MigrationRunner.repeatableNewerName]))
            // An old process's `migrate` (its start-up in a deploy script) applies nothing.
            #expect(try await oldBuild.migrate().isEmpty)
            #expect(try await answer(db) == 2)
            try await oldBuild.requireServable()
        }
    }

    @Test("a migration marked no-transaction runs on its own (CREATE INDEX CONCURRENTLY), as one statement")
    func migrationOutsideTransaction() async throws {
        let folder = try Folder([
            "0001_widgets.sql": "CREATE TABLE widgets (id int, name text); INSERT INTO widgets VALUES (1, 'a');",
            "0002_index.sql": "\(Migration.noTransactionMarker)\nCREATE INDEX CONCURRENTLY IF NOT EXISTS widgets_by_name ON widgets (name);\n",
            "0003_more.sql": "ALTER TABLE widgets ADD COLUMN colour text;",
        ])
        #expect(try folder.migrations().map(\.runsInTransaction) == [true, false, true])
        try await TestDatabase.with(migrated: false) { db, _ in
            let applied = try await MigrationRunner(client: db, schema: try folder.schema()).migrate()
            #expect(applied.map(\.version) == [1, 2, 3])
            let index = try await db.query("""
                SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('widgets_by_name')
                """).single()
            #expect(try index.decode(Bool.self, "valid"))
            #expect(try await db.query("SELECT current_setting('lock_timeout') AS t").single().decode(String.self, "t") == "0")

            // Two statements cannot run outside a transaction as one: refused, naming the file; what came before it stays.
            try folder.write("0004_two.sql", "\(Migration.noTransactionMarker)\nCREATE TABLE x (id int); CREATE TABLE y (id int);")
            try folder.write("0005_after.sql", "CREATE TABLE after_two (id int);")
            await #expect {
                try await MigrationRunner(client: db, schema: try folder.schema()).migrate()
            } throws: { error in
                guard case .failed(let file, _) = error as? MigrationError else { return false }
                return file == "0004_two.sql"
            }
            #expect(try await MigrationRunner(client: db, schema: try folder.schema()).pendingMigrations().map(\.version) == [4, 5])
        }
    }

    @Test("a migration waits at most its lock timeout for a busy table, then fails and leaves the database as it was")
    func lockTimeout() async throws {
        let folder = try Folder(["0001_widgets.sql": "CREATE TABLE widgets (id int);"])
        try await TestDatabase.with(migrated: false) { db, database in
            try await MigrationRunner(client: db, migrations: try folder.migrations()).migrate()
            try folder.write("0002_alter.sql", "CREATE TABLE gadgets (id int); ALTER TABLE widgets ADD COLUMN name text;")
            let holder = PostgresClient(configuration: database.configuration(poolSize: 1))
            let (holding, held) = AsyncStream.makeStream(of: Void.self)
            let (releasing, release) = AsyncStream.makeStream(of: Void.self)
            let reader = Task {
                try await holder.withTransaction { session in
                    try await session.query("SELECT count(*) FROM widgets")  // holds ACCESS SHARE until the end
                    held.yield()
                    for await _ in releasing { break }
                }
            }
            for await _ in holding { break }
            let started = ContinuousClock.now
            await #expect {
                try await MigrationRunner(client: db, schema: try folder.schema(), lockTimeoutMs: 300).migrate()
            } throws: { error in
                guard case .failed(let file, let reason) = error as? MigrationError else { return false }
                return file == "0002_alter.sql" && reason.contains("lock_timeout") && reason.contains("300 ms")
            }
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await db.query("SELECT to_regclass('gadgets') IS NULL AS absent").single().decode(Bool.self, "absent"))
            release.yield()
            try await reader.value
            await holder.shutdown()
            // Once the table is free, the same run goes through.
            #expect(try await MigrationRunner(client: db, schema: try folder.schema(), lockTimeoutMs: 300).migrate().map(\.version) == [2])
        }
    }

    @Test("the repeatable set applies after the migrations, as a whole, again whenever it changes; readiness sees it")
    func repeatableSet() async throws {
        let folder = try Folder([
            "0001_create_widgets.sql": "CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL);",
            // A later file's function is called by an earlier one's: the set is applied whole, bodies unchecked.
            "repeatable/01_first.sql": "CREATE OR REPLACE FUNCTION widget_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count_them() $$;",
            "repeatable/02_second.sql": "CREATE OR REPLACE FUNCTION count_them() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM widgets $$;",
            "repeatable/README.txt": "not part of the set",
        ])
        func count(_ db: PostgresClient, _ function: String) async throws -> Int64 {
            try await db.query(PostgresQuery(sql: "SELECT \(function)() AS n")).single().decode(Int64.self, "n")
        }
        try await TestDatabase.with(migrated: false) { db, _ in
            let runner = MigrationRunner(client: db, schema: try folder.schema())
            #expect(try await runner.standing() == .behind(pending: ["0001_create_widgets.sql", MigrationRunner.repeatablePendingName]))
            try await runner.migrate()
            try await runner.requireServable()
            try await db.query("INSERT INTO widgets (name) VALUES ('a'), ('b')")
            #expect(try await count(db, "widget_count") == 2)

            // Fixing a function is an edit of its file: no new migration, and the database says it is behind.
            try folder.write("repeatable/02_second.sql",
                             "CREATE OR REPLACE FUNCTION count_them() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) * 10 FROM widgets $$;")
            let changed = MigrationRunner(client: db, schema: try folder.schema())
            #expect(try await changed.standing() == .behind(pending: [MigrationRunner.repeatablePendingName]))
            await #expect(throws: MigrationError.pending([MigrationRunner.repeatablePendingName])) { try await changed.requireServable() }
            #expect(try await changed.migrate().isEmpty)
            try await changed.requireServable()
            #expect(try await count(db, "widget_count") == 20)
            // The set is recorded by its checksum, once.
            let recorded = try await db.query("SELECT checksum FROM schema_repeatable").single().decode(String.self, "checksum")
            #expect(recorded == (try folder.schema()).repeatable.checksum)

            // A file that fails rolls the whole set back: the earlier file's change is not kept either.
            try folder.write("repeatable/01_first.sql",
                             "CREATE OR REPLACE FUNCTION widget_count() RETURNS bigint LANGUAGE sql AS $$ SELECT 7::bigint $$;")
            try folder.write("repeatable/02_second.sql", "CREATE OR REPLACE FUNCTION count_them( RETURNS nonsense;")
            await #expect {
                try await MigrationRunner(client: db, schema: try folder.schema()).migrate()
            } throws: { error in
                guard case .repeatableFailed(let file, _) = error as? MigrationError else { return false }
                return file == "repeatable/02_second.sql"
            }
            #expect(try await count(db, "widget_count") == 20)
            #expect(try await db.query("SELECT checksum FROM schema_repeatable").single().decode(String.self, "checksum") == recorded)
            // A migration applied in the same run goes back with the set: the tables and their functions change together.
            try folder.write("0002_gadgets.sql", "CREATE TABLE gadgets (id int);")
            await #expect(throws: MigrationError.self) { try await MigrationRunner(client: db, schema: try folder.schema()).migrate() }
            #expect(try await db.query("SELECT to_regclass('gadgets') IS NULL AS gone").single().decode(Bool.self, "gone"))
            #expect(try await MigrationRunner(client: db, schema: try folder.schema()).pendingMigrations().map(\.version) == [2])
        }
        #expect(throws: MigrationError.badRepeatableFileName("repeatable/1_short.sql")) {
            try Folder(["repeatable/1_short.sql": ""]).schema()
        }
    }

    @Test("the project's own migrations apply to an empty database")
    func projectMigrations() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            let runner = MigrationRunner(client: db, schema: try TestDatabase.projectSchema())
            #expect(try await runner.migrate().count == runner.migrations.count)
            try await runner.requireServable()
            // No unlogged sequence (an unlogged table's identity column): PostgreSQL 15 loses it at a fail-over, and
            // every nextval on the promoted standby then fails with "bad magic number in sequence" (Migrations/0025).
            let unloggedSequences = try await db.query("""
                SELECT coalesce(string_agg(relname, ', '), '') AS names FROM pg_class WHERE relkind = 'S' AND relpersistence = 'u'
                """).single().decode(String.self, "names")
            #expect(unloggedSequences == "")
            // Every statement of the repeatable set replaces: none creates an object that must not exist yet.
            for file in runner.schema.repeatable.files {
                let creations = file.sql.components(separatedBy: "\nCREATE ").dropFirst()
                #expect(creations.allSatisfy { $0.hasPrefix("OR REPLACE ") }, "\(file.name)")
            }
            // Applying it again to a current database is harmless (what a second process's `migrate` does).
            let applied = try await db.query("SELECT applied_at FROM schema_repeatable").single().decode(String.self, "applied_at")
            try await db.query("DELETE FROM schema_repeatable")
            try await runner.migrate()
            try await runner.requireServable()
            #expect(try await db.query("SELECT applied_at FROM schema_repeatable").single().decode(String.self, "applied_at") != applied)
        }
    }
}
