import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Typed parameters and rows")
struct TypeRoundTripTests {
    struct Receipt: Codable, Equatable, Sendable {
        var reference: String
        var amounts: [Int64]
        var note: String?
    }

    @Test("every supported type survives a round trip, NULLs included")
    func roundTrips() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            let int64s: [Int64] = [.min, -1, 0, 1, .max]
            for value in int64s {
                let row = try await db.query("SELECT \(value) AS v").single()
                #expect(try row.decode(Int64.self, "v") == value)
            }
            let int32: Int32 = .min
            #expect(try await db.query("SELECT \(int32) AS v").single().decode(Int32.self, "v") == .min)
            let int16: Int16 = .max
            #expect(try await db.query("SELECT \(int16) AS v").single().decode(Int16.self, "v") == .max)
            for value in [true, false] {
                #expect(try await db.query("SELECT \(value) AS v").single().decode(Bool.self, "v") == value)
            }
            for value in [0.1, -2.5e300, Double.pi] {
                #expect(try await db.query("SELECT \(value) AS v").single().decode(Double.self, "v") == value)
            }
            #expect(try await db.query("SELECT \(Double.nan) AS v").single().decode(Double.self, "v").isNaN)
            #expect(try await db.query("SELECT \(-Double.infinity) AS v").single().decode(Double.self, "v") == -.infinity)

            for text in ["", "plain", "quote ' and \" and \\ backslash", "ünïcødé ✓ 💸", "{not,an,array}", "NULL"] {
                #expect(try await db.query("SELECT \(text) AS v").single().decode(String.self, "v") == text)
            }

            // Timestamps keep microseconds; build them from whole microseconds so Double rounding cannot differ.
            for microseconds: Int64 in [0, 1_480_435_182_735_000, 1_796_000_000_123_456, -86_400_000_001] {
                let date = Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
                let back = try await db.query("SELECT \(date) AS v").single().decode(Date.self, "v")
                #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
            }
            let serverNow = try await db.query("SELECT now() AS v").single().decode(Date.self, "v")
            #expect(abs(serverNow.timeIntervalSinceNow) < 60)

            let uuid = UUID()
            #expect(try await db.query("SELECT \(uuid) AS v").single().decode(UUID.self, "v") == uuid)

            let receipt = Receipt(reference: "r-1 \"quoted\"", amounts: [1, -2, .max], note: nil)
            let stored = try await db.query("SELECT \(try PostgresJSON(receipt)) AS v").single()
            #expect(try stored.decode(PostgresJSON<Receipt>.self, "v").value == receipt)
            let fromJSON = try await db.query(#"SELECT '{"reference":"x","amounts":[]}'::json AS v"#).single()
            #expect(try fromJSON.decode(PostgresJSON<Receipt>.self, "v").value == Receipt(reference: "x", amounts: []))

            let texts = ["a", "", "with,comma", "with \"quote\"", "back\\slash", "NULL", "{brace}", " space "]
            #expect(try await db.query("SELECT \(texts) AS v").single().decode([String].self, "v") == texts)
            let emptyTexts: [String] = []
            #expect(try await db.query("SELECT \(emptyTexts) AS v").single().decode([String].self, "v") == [])
            let bigints: [Int64] = [.min, 0, .max]
            #expect(try await db.query("SELECT \(bigints) AS v").single().decode([Int64].self, "v") == bigints)
            let cardinality = try await db.query("SELECT cardinality(\(texts)) AS n").single().decode(Int.self, "n")
            #expect(cardinality == texts.count)
        }
    }

    @Test("NULL binds as the type's NULL and decodes to nil; a non-optional read of NULL is an error")
    func nulls() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            let missingInt: Int64? = nil
            let missingText: String? = nil
            let missingDate: Date? = nil
            let missingUUID: UUID? = nil
            let row = try await db.query("""
                SELECT \(missingInt) AS i, \(missingText) AS t, \(missingDate) AS d, \(missingUUID) AS u,
                       pg_typeof(\(missingInt))::text AS i_type, \(Int64?.some(7)) AS seven
                """).single()
            #expect(try row.decode(Int64?.self, "i") == nil)
            #expect(try row.decode(String?.self, "t") == nil)
            #expect(try row.decode(Date?.self, "d") == nil)
            #expect(try row.decode(UUID?.self, "u") == nil)
            #expect(try row.decode(String.self, "i_type") == "bigint")
            #expect(try row.decode(Int64?.self, "seven") == 7)
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, "i") }
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, "no_such_column") }
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, "i_type") }
            let arrayWithNull = try await db.query("SELECT ARRAY['a', NULL] AS v").single()
            #expect(throws: PostgresError.self) { try arrayWithNull.decode([String].self, "v") }
        }
    }

    @Test("a string holding NUL is refused before anything is sent, and the connection stays usable")
    func nulCharacterRefused() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            try await db.query("CREATE TABLE notes (body text)")
            let hostile = "before\u{0}after"
            await #expect {
                try await db.query("INSERT INTO notes VALUES (\(hostile))")
            } throws: { error in
                guard case .invalidParameter = error as? PostgresError else { return false }
                return true
            }
            #expect(try await db.query("SELECT count(*) AS n FROM notes").single().decode(Int.self, "n") == 0)
        }
    }

    @Test("affected row counts come from the command tag")
    func affectedRows() async throws {
        try await TestDatabase.with(migrated: false) { db, _ in
            try await db.query("CREATE TABLE items (id bigint)")
            let inserted = try await db.query("INSERT INTO items SELECT generate_series(1, 5)")
            #expect(inserted.affectedRows == 5)
            let deleted = try await db.query("DELETE FROM items WHERE id > \(Int64(3))")
            #expect(deleted.affectedRows == 2)
        }
    }
}
