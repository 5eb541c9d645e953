import Foundation
import InFlightCheck
import Postgres
import Testing
import TokenLookup
import TransactCore
import TransactionLookup
import UserTransactionLookup

/// Each lookup's own statement, explained over a fixture of 10,000 purchases: an index of its own, and no
/// sequential scan of purchases.transactions, both as planned for its parameters and as the generic plan that a
/// prepared statement may switch to after a few executions (the service prepares every statement).
@Suite("Lookup plans")
struct LookupPlanTests {
    struct Case {
        let name: String
        let statement: PostgresQuery
        let index: String
    }

    static func cases() -> [Case] {
        let buyer = "27820000042"
        let raas = RaasTxnRef(parsing: "00000000-00c8-4000-8000-000000000101")!
        return [
            Case(name: "transaction by raasTxnRef",
                 statement: TransactionLookupQuery(clientId: 200, references: [.raasTxnRef(raas)]).statement, index: "transactions_pkey"),
            Case(name: "transaction by clientTxnRef",
                 statement: TransactionLookupQuery(clientId: 200, references: [.clientTxnRef("fx-101")]).statement,
                 index: "one_per_client_reference|transactions_by_client_txn_ref"),
            Case(name: "transaction by reserveFundsTxnRef",
                 statement: TransactionLookupQuery(clientId: 200, references: [.reserveFundsTxnRef("rf-101")]).statement,
                 index: "bank_references_pkey"),
            Case(name: "in-flight check",
                 statement: InFlightQuery(clientId: 200, sourceIdentifier: buyer, targetIdentifier: buyer, productId: 110,
                                          purchaseAmount: 1_500).statement,
                 index: "jobs_open_by_purchase"),
            Case(name: "user transactions, single latest",
                 statement: UserTransactionsQuery(clientId: 200, sourceIdentifier: buyer, limit: 1).statement,
                 index: "successes_by_buyer_product"),
            Case(name: "user transactions, filtered",
                 statement: UserTransactionsQuery(clientId: 200, sourceIdentifier: buyer, channelId: 3, productId: 110,
                                                  productTypeId: 3, limit: 10).statement,
                 index: "successes_by_buyer_product"),
            Case(name: "token lookup",
                 statement: TokenLookupQuery(clientId: 200, sourceIdentifier: buyer, channelId: 3, limit: 50).statement,
                 index: "successes_tokens_by_buyer"),
        ]
    }

    /// (node type, relation, index) of every node of an EXPLAIN (FORMAT JSON) plan.
    static func nodes(of explained: String) throws -> [(type: String, relation: String?, index: String?)] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(explained.utf8)) as? [[String: Any]])
        var found: [(String, String?, String?)] = []
        func walk(_ node: [String: Any]) {
            found.append((node["Node Type"] as? String ?? "", node["Relation Name"] as? String, node["Index Name"] as? String))
            (node["Plans"] as? [[String: Any]] ?? []).forEach(walk)
        }
        try #require(document.first?["Plan"] as? [String: Any]).map(walk) ?? ()
        return found
    }

    @Test("every lookup uses its index and never scans the transactions table", arguments: ["custom", "generic"])
    func plans(mode: String) async throws {
        try await LookupHarness.with { harness in
            try await harness.loadFixture(count: 10_000, buyers: 1_000)
            try await harness.db.withConnection { session in
                _ = try await session.execute(script: "SET plan_cache_mode = force_\(mode)_plan")
                for (number, lookup) in Self.cases().enumerated() {
                    let explained: String
                    if mode == "custom" {
                        explained = try await session.query(PostgresQuery(
                            sql: "EXPLAIN (FORMAT JSON) " + lookup.statement.sql, bindings: lookup.statement.bindings)
                        ).first!.decode(String.self, "QUERY PLAN")
                    } else {
                        // Through the simple protocol: over the extended one, the statement's $n would be the PREPARE's own.
                        _ = try await session.execute(script: "PREPARE lookup_\(number) AS " + lookup.statement.sql)
                        // EXECUTE takes its arguments as literals (a utility statement has no parameters of its own).
                        let arguments = lookup.statement.bindings
                            .map { $0.text.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }
                            .joined(separator: ", ")
                        explained = try await session.execute(script: "EXPLAIN (FORMAT JSON) EXECUTE lookup_\(number)(\(arguments))")
                            .first!.decode(String.self, "QUERY PLAN")
                    }
                    let nodes = try Self.nodes(of: explained)
                    #expect(!nodes.contains { $0.type == "Seq Scan" && $0.relation == "transactions" }, "\(lookup.name): \(explained)")
                    // `index` names the index, or the indexes that serve equally ("a|b": support's index of client
                    // references across clients serves a lookup by one reference as well as the client's own).
                    let indexes = lookup.index.split(separator: "|").map(String.init)
                    #expect(nodes.contains { $0.index.map(indexes.contains) == true },
                            "\(lookup.name) does not use \(lookup.index): \(explained)")
                }
            }
        }
    }

    @Test("the fixture's rows are what the lookups expect: one buyer's latest per product, tokens, one in flight")
    func fixtureAnswers() async throws {
        try await LookupHarness.with { harness in
            try await harness.loadFixture(count: 10_000, buyers: 1_000)
            let rows = try await harness.db.query(UserTransactionsQuery(clientId: 200, sourceIdentifier: "27820000042", limit: 10).statement)
            // Buyer 42 bought every one of the client's four products (in turn); each appears once, newest first.
            #expect(Set(try rows.map { try $0.decode(Int64.self, "product_id") }) == [110, 120, 571, 719])
            let dates = try rows.map { try $0.decode(String.self, "transaction_date") }
            #expect(dates == dates.sorted(by: >))
        }
    }
}
