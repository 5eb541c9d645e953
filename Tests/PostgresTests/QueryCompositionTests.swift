import Postgres
import TestSupport
import Testing

@Suite("Statements composed from fragments")
struct QueryCompositionTests {
    @Test("an appended fragment's parameters are numbered after the statement's, and run as parameters")
    func append() async throws {
        var query: PostgresQuery = "SELECT \(Int64(1)) + \(Int64(2)) AS a"
        query.append(", \(Int64(40)) + \(Int64(2)) AS b, \("it's $1")::text AS c")
        #expect(query.sql == "SELECT $1 + $2 AS a, $3 + $4 AS b, $5::text AS c")
        #expect(query.bindings.count == 5)
        try await TestDatabase.with { db, _ in
            let row = try await db.query(query).single()
            #expect(try row.decode(Int64.self, "a") == 3 && row.decode(Int64.self, "b") == 42)
            #expect(try row.decode(String.self, "c") == "it's $1")
        }
    }
}
