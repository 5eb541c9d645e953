import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite("Explicit transactions")
struct TransactionTests {
    struct Abort: Error {}

    @Test("an error inside the transaction rolls everything back")
    func rollback() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 1) { db, database in
            try await db.query("CREATE TABLE t (n bigint)")
            await #expect(throws: Abort.self) {
                try await db.withTransaction { tx in
                    try await tx.query("INSERT INTO t VALUES (1)")
                    throw Abort()
                }
            }
            #expect(try await db.query("SELECT count(*) AS n FROM t").single().decode(Int.self, "n") == 0)
            // The connection went back to the pool clean: the next statement commits on its own, as another
            // connection can see.
            try await db.query("INSERT INTO t VALUES (2)")
            let observer = PostgresClient(configuration: database.configuration(poolSize: 1))
            let seen = try await observer.query("SELECT count(*) AS n FROM t").single().decode(Int.self, "n")
            await observer.shutdown()
            #expect(seen == 1)
        }
    }

    @Test("serialization failures and deadlocks are retried a bounded number of times")
    func boundedRetry() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            let attempts = Mutex(0)
            let value = try await db.withTransaction(maxAttempts: 3) { tx in
                let attempt = attempts.withLock { count in
                    count += 1
                    return count
                }
                if attempt < 3 {
                    let code = attempt == 1 ? "40001" : "40P01"
                    try await tx.query(PostgresQuery(sql: "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '\(code)'; END $$"))
                }
                return try await tx.query("SELECT 42 AS v").single().decode(Int.self, "v")
            }
            #expect(value == 42)
            #expect(attempts.withLock { $0 } == 3)

            attempts.withLock { $0 = 0 }
            await #expect {
                try await db.withTransaction(maxAttempts: 2) { tx in
                    attempts.withLock { $0 += 1 }
                    try await tx.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
                }
            } throws: { ($0 as? PostgresError)?.sqlState == .serializationFailure }
            #expect(attempts.withLock { $0 } == 2)

            // Other errors are not retried.
            attempts.withLock { $0 = 0 }
            await #expect(throws: PostgresError.self) {
                try await db.withTransaction(maxAttempts: 5) { tx in
                    attempts.withLock { $0 += 1 }
                    try await tx.query("SELECT 1/0")
                }
            }
            #expect(attempts.withLock { $0 } == 1)
        }
    }

    @Test("concurrent serializable read-modify-write transactions all land exactly once")
    func realSerializationConflicts() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 4) { db, _ in
            try await db.query("CREATE TABLE counter (id int PRIMARY KEY, value bigint NOT NULL)")
            try await db.query("INSERT INTO counter VALUES (1, 0)")
            let increments = 24
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<increments {
                    group.addTask {
                        try await db.withTransaction(isolation: .serializable, maxAttempts: 10) { tx in
                            let current = try await tx.query("SELECT value FROM counter WHERE id = 1").single()
                                .decode(Int64.self, "value")
                            try await tx.query("UPDATE counter SET value = \(current + 1) WHERE id = 1")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await db.query("SELECT value FROM counter WHERE id = 1").single().decode(Int64.self, "value")
            #expect(final == Int64(increments))
        }
    }
}
