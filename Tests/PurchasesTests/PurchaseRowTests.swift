import Postgres
import TestSupport
import Testing

/// The lean write path (Migrations/0009_lean_purchases.sql): a purchase row is changed only in place.
@Suite("A purchase row is written once with its indexes, then changed in place")
struct PurchaseRowTests {
    /// The columns a purchase is given when it is stored and that no step changes afterwards.
    static let writtenOnce: Set<String> = [
        "raas_txn_ref", "client_id", "client_txn_ref", "created_at", "source_identifier", "target_identifier",
    ]

    @Test("every index of purchases.transactions is on columns no step changes, with no predicate or expression")
    func indexesAreOnWrittenOnceColumns() async throws {
        try await TestDatabase.with { db, _ in
            let rows = try await db.query("""
                SELECT c.relname AS index, i.indpred IS NOT NULL OR i.indexprs IS NOT NULL AS computed,
                       array_to_string(ARRAY(SELECT a.attname FROM pg_attribute a
                                             WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) ORDER BY a.attnum), ',') AS columns
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'purchases.transactions'::regclass
                """)
            #expect(rows.count >= 7)
            for row in rows {
                let index = try row.decode(String.self, "index")
                let columns = Set(try row.decode(String.self, "columns").split(separator: ",").map(String.init))
                // A change of an indexed column, in a key or a predicate, is an update that writes every index anew.
                #expect(try !row.decode(Bool.self, "computed"), "\(index) has a predicate or an expression")
                #expect(columns.isSubset(of: Self.writtenOnce), "\(index) is on \(columns.subtracting(Self.writtenOnce))")
            }
        }
    }

    @Test("the tables a purchase step writes carry their rules as domains, not CHECK constraints")
    func noCheckConstraints() async throws {
        try await TestDatabase.with { db, _ in
            // PostgreSQL builds a table's CHECK constraints from their text at every statement that writes it
            // (Migrations/0010_rules_as_domains.sql); the job's one small rule across columns is the exception.
            let checks = try await db.query("""
                SELECT conrelid::regclass::text || '.' || conname AS name FROM pg_constraint
                WHERE contype = 'c' AND conrelid IN ('purchases.transactions'::regclass, 'purchases.state_changes'::regclass,
                                                     'purchases.calls'::regclass, 'purchases.jobs'::regclass)
                """).map { try $0.decode(String.self, "name") }
            #expect(checks == ["purchases.jobs.open_job_names_its_purchase"])
        }
    }

    @Test("a claim, and the bank's answer handing the vend over, move no indexed column of the job")
    func jobMovesInPlace() async throws {
        try await TestDatabase.with { db, _ in
            // A claim writes the lease; the handed vend also turns the deadline job's kind into vend (0017). Neither
            // may be in an index's key, expression or predicate, or the update writes every index of the job anew.
            let indexed = try await db.query("""
                SELECT i.indexrelid::regclass::text AS index FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE i.indrelid = 'purchases.jobs'::regclass
                  AND a.attname IN ('kind', 'lease_token', 'leased_until', 'claims')
                  AND (a.attnum = ANY (i.indkey)
                       OR pg_get_expr(i.indpred, i.indrelid) ~ ('\\m' || a.attname || '\\M')
                       OR pg_get_expr(i.indexprs, i.indrelid) ~ ('\\m' || a.attname || '\\M'))
                """).map { try $0.decode(String.self, "index") }
            #expect(indexed.isEmpty, "\(indexed) index the job's moving columns")
        }
    }
}
