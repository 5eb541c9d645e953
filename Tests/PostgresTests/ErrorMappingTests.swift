import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Errors carry SQLSTATE, message and detail")
struct ErrorMappingTests {
    @Test("a unique violation names its SQLSTATE, constraint and detail")
    func uniqueViolation() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            try await db.query("CREATE TABLE refs (ref text CONSTRAINT refs_unique UNIQUE)")
            try await db.query("INSERT INTO refs VALUES (\("abc"))")
            do {
                try await db.query("INSERT INTO refs VALUES (\("abc"))")
                Issue.record("the duplicate was accepted")
            } catch let error as PostgresError {
                let server = try #require(error.serverError)
                #expect(server.sqlState == .uniqueViolation)
                #expect(server.constraintName == "refs_unique")
                #expect(server.detail?.contains("abc") == true)
                #expect(!error.isUnavailable)
            }
        }
    }

    @Test("syntax errors, raised exceptions and check violations map to their SQLSTATEs")
    func otherServerErrors() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            await #expect { try await db.query("SELEC 1") } throws: { ($0 as? PostgresError)?.sqlState?.code == "42601" }
            await #expect {
                try await db.query("DO $$ BEGIN RAISE EXCEPTION 'custom' USING ERRCODE = 'LG999', DETAIL = 'why'; END $$")
            } throws: { error in
                let server = (error as? PostgresError)?.serverError
                return server?.sqlState.code == "LG999" && server?.message == "custom" && server?.detail == "why"
            }
            try await db.query("CREATE TABLE positive (n bigint CHECK (n > 0))")
            await #expect { try await db.query("INSERT INTO positive VALUES (\(Int64(-1)))") } throws: {
                ($0 as? PostgresError)?.sqlState == .checkViolation
            }
        }
    }

    @Test("a failing statement never undoes other callers' statements pipelined beside it")
    func pipelineIsolation() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 2) { db, _ in
            try await db.query("CREATE TABLE entries (n bigint PRIMARY KEY)")
            try await db.query("INSERT INTO entries SELECT generate_series(0, 198, 2)")  // even numbers exist
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in Int64(0)..<200 {
                    group.addTask {
                        do {
                            try await db.query("INSERT INTO entries VALUES (\(n))")
                            return true
                        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 100)
            #expect(try await db.query("SELECT count(*) AS n FROM entries").single().decode(Int.self, "n") == 200)
        }
    }
}
