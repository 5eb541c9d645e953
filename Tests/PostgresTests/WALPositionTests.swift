import Postgres
import TestSupport
import Testing

@Suite("WAL positions")
struct WALPositionTests {
    @Test("parsed from PostgreSQL's text form, ordered as the log is, shown as PostgreSQL shows them; anything else refused")
    func parsing() async throws {
        let position = try #require(WALPosition("16/B374D848"))
        #expect(position.value == 0x16_B374_D848)
        #expect(position.description == "16/B374D848")
        #expect(try #require(WALPosition("0/FFFFFFFF")) < (try #require(WALPosition("1/0"))))
        for bad in ["", "16", "16/", "/1", "1/2/3", "G/1", "123456789/0", "-1/0"] { #expect(WALPosition(bad) == nil, "\(bad)") }
        // What the server says round-trips, and moves forward after a write.
        try await TestDatabase.with { db, _ in
            func current() async throws -> WALPosition {
                let text = try await db.query("SELECT pg_current_wal_lsn()::text AS p").single().decode(String.self, "p")
                let position = try #require(WALPosition(text))
                #expect(position.description == text)
                return position
            }
            let before = try await current()
            try await db.query("CREATE TABLE moved (n int)")
            #expect(try await current() > before)
        }
    }
}
