import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite("Pool: threads, limits, failures")
struct PoolTests {
    final class Flag: Sendable {
        private let value = Atomic(false)
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    }

    @Test("500 concurrent queries through 4 connections never block the cooperative pool")
    func cooperativePoolStaysFree() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 4) { db, _ in
            let sleepSeconds = 8.0
            let firstSleepReturned = Flag()
            let queries = Task {
                try await withThrowingTaskGroup(of: Int64.self) { group in
                    for n in Int64(0)..<500 {
                        group.addTask {
                            // Every 125th query (4 of them, one per connection) holds its connection for 8 s.
                            let sleep = n % 125 == 0 ? sleepSeconds : 0.0
                            let value = try await db.query("SELECT \(n) AS n, pg_sleep(\(sleep))").single()
                                .decode(Int64.self, "n")
                            if sleep > 0 { firstSleepReturned.set() }
                            return value
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            // While every connection sleeps, this task must keep waking up: were libpq blocking the (two)
            // cooperative threads, its sleeps could not end before the queries' did. Ordering, not timing, is
            // checked, so a loaded machine (the suite runs heavy tests in parallel) only narrows a 7-second margin.
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(100))
                #expect(!firstSleepReturned.isSet, "the cooperative pool was blocked")
            }
            #expect(try await queries.value == (0..<500).reduce(0, +))
            #expect(firstSleepReturned.isSet)
        }
    }

    @Test("a connection killed by the server is replaced and work resumes")
    func recoversFromTerminatedBackend() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 2) { db, database in
            let before = try await db.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, "pid")
            let admin = PostgresClient(configuration: PostgresConfiguration(connectionString: "dbname=postgres", poolSize: 1))
            let killed = try await admin.query("""
                SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = \(database.name)
                """).single().decode(Int.self, "n")
            await admin.shutdown()
            #expect(killed >= 1)

            var after: Int32?
            var failures = 0
            for _ in 0..<50 where after == nil {
                do {
                    after = try await db.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, "pid")
                } catch let error as PostgresError {
                    #expect(error.isUnavailable, "unexpected error \(error)")
                    failures += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let newPID = try #require(after, "no query succeeded after the connections were terminated")
            #expect(newPID != before)
            #expect(failures <= 2)
            let stats = db.statistics
            #expect(stats.connections == 2)
        }
    }

    @Test("an unreachable database fails fast with .unavailable instead of hanging")
    func failsFastWhileDown() async throws {
        let client = PostgresClient(configuration: PostgresConfiguration(
            connectionString: "host=127.0.0.1 port=1 dbname=postgres connect_timeout=2", poolSize: 2))
        let clock = ContinuousClock()
        // Let the workers notice the database is down.
        try await Task.sleep(for: .milliseconds(300))
        for _ in 0..<20 {
            let started = clock.now
            await #expect {
                try await client.query("SELECT 1")
            } throws: { error in
                (error as? PostgresError)?.isUnavailable == true
            }
            // Well under connect_timeout (2 s), which is what a request that waited for a connection would take; the
            // margin is for a machine busy with the rest of the suite.
            #expect(clock.now - started < .milliseconds(1_500))
        }
        await #expect(throws: PostgresError.self) { try await client.withConnection { _ in } }
        await client.shutdown()
    }

    @Test("a multi-host connection string skips a host that is down")
    func multiHost() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = environment["PGHOST"] ?? "localhost"
        let port = environment["PGPORT"] ?? "5432"
        let client = PostgresClient(configuration: PostgresConfiguration(
            connectionString: "host=/nonexistent-socket-dir,\(host) port=\(port),\(port) dbname=postgres "
                + "target_session_attrs=read-write",
            poolSize: 1))
        let recovery = try await client.query("SELECT pg_is_in_recovery() AS r").single().decode(Bool.self, "r")
        #expect(recovery == false)
        await client.shutdown()
    }

    @Test("the queue limit refuses excess work with .overloaded, and shutdown refuses new work")
    func limits() async throws {
        try await TestDatabase.with(migrated: false) { _, database in
            var configuration = database.configuration(poolSize: 1)
            configuration.maxQueuedRequests = 5
            configuration.maxPipelineDepth = 1
            let client = PostgresClient(configuration: configuration)
            try await client.query("SELECT 1")
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        do {
                            try await client.query("SELECT pg_sleep(0.05)")
                            return "ok"
                        } catch PostgresError.overloaded {
                            return "overloaded"
                        } catch {
                            return "other: \(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.contains("overloaded"))
            #expect(outcomes.contains("ok"))
            #expect(outcomes.allSatisfy { $0 == "ok" || $0 == "overloaded" })
            await client.shutdown()
            await #expect {
                try await client.query("SELECT 1")
            } throws: { error in
                guard case .shutDown = error as? PostgresError else { return false }
                return true
            }
        }
    }

    @Test("leases are exclusive: another caller's statements never run inside a leased transaction")
    func leaseExclusivity() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 1) { db, _ in
            try await db.query("CREATE TABLE t (n bigint)")
            let transaction = Task {
                try await db.withTransaction { tx in
                    try await tx.query("INSERT INTO t VALUES (1)")
                    try await Task.sleep(for: .milliseconds(200))
                    throw CancellationError()
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            // With one connection leased, this waits for the lease to end and runs outside the rolled-back block.
            try await db.query("INSERT INTO t VALUES (2)")
            await #expect(throws: CancellationError.self) { try await transaction.value }
            let values = try await db.query("SELECT n FROM t ORDER BY n").map { try $0.decode(Int64.self, "n") }
            #expect(values == [2])
        }
    }
}
