import Foundation
import Postgres
@testable import Support
import Testing

/// Support's searches (`TransactionSearch`), explained over the lookup fixture of 10,000 purchases: each shape uses
/// the index made for it, and none scans purchases.transactions sequentially. `scripts/bench-support` shows the same
/// plans, executed, at 10,000,000.
@Suite("Support search plans")
struct SupportSearchPlanTests {
    static func cases() -> [(name: String, search: TransactionSearch, index: String)] {
        let now = Date()
        func search(_ adjust: (inout TransactionSearch) -> Void) -> TransactionSearch {
            var search = TransactionSearch(limit: 50)
            adjust(&search)
            return search
        }
        let week = { (search: inout TransactionSearch) in
            search.from = now.addingTimeInterval(-7 * 86_400)
            search.to = now
        }
        return [
            ("by raasTxnRef", search { $0.raasTxnRef = UUID(uuidString: "00000000-00c8-4000-8000-000000000101") }, "transactions_pkey"),
            ("by clientTxnRef across clients", search { $0.clientTxnRef = "fx-101" }, "transactions_by_client_txn_ref"),
            ("by buyer", search { $0.sourceIdentifier = "27820000042" }, "transactions_by_buyer_time"),
            ("by recipient", search { $0.targetIdentifier = "27820000042" }, "transactions_by_recipient_time"),
            ("by the bank's reference and client", search { $0.clientId = 200; $0.reserveFundsTxnRef = "rf-101" },
             "bank_references_pkey"),
            ("a client's last week", search { $0.clientId = 200; week(&$0) }, "transactions_by_client_time"),
            ("a vendor's failures of the last week", search { $0.vendorId = 100; $0.status = .failed; week(&$0) },
             "transactions_by_time"),
            ("what is still pending", search { $0.status = .pending; week(&$0) }, "jobs_open_by_time"),
            ("the next page of the last week", search {
                week(&$0)
                $0.after = TransactionSearch.Cursor("\(Int64(now.timeIntervalSince1970 * 1_000_000) - 3_600_000_000)_00000000-00c8-4000-8000-000000000101")
            }, "transactions_by_time"),
        ]
    }

    @Test("every search shape uses its index and never scans the transactions table")
    func plans() async throws {
        try await LookupHarness.with { harness in
            try await harness.loadFixture(count: 10_000, buyers: 1_000)
            for (name, search, index) in Self.cases() {
                let statement = search.statement
                let explained = try await harness.db.query(PostgresQuery(
                    sql: "EXPLAIN (FORMAT JSON) " + statement.sql, bindings: statement.bindings)
                ).first!.decode(String.self, "QUERY PLAN")
                let nodes = try LookupPlanTests.nodes(of: explained)
                #expect(!nodes.contains { $0.type == "Seq Scan" && $0.relation == "transactions" }, "\(name): \(explained)")
                #expect(nodes.contains { $0.index == index }, "\(name) does not use \(index): \(explained)")
            }
        }
    }
}
