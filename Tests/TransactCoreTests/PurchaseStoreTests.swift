import Foundation
import Postgres
import TestSupport
import Testing
import TransactCore

@Suite("Claiming a client reference (API.md §3.3)")
struct PurchaseStoreTests {
    func request(_ overrides: [String: any Sendable] = [:]) throws -> PurchaseRequest {
        var fields: [String: Any] = [
            "clientId": 200, "clientTxnRef": "ref-1", "channelId": 7, "channelName": "USSD", "channelSessionId": "s1",
            "productId": 110, "purchaseAmount": 10_000, "feeAmount": 0, "currencyCode": "ZAR", "fundingSourceId": 3,
            "sourceIdentifier": "27831234567", "targetIdentifier": "27831234567", "timestamp": "2016-06-29T16:39:42Z",
        ]
        for (key, value) in overrides { fields[key] = value }
        let data = try JSONSerialization.data(withJSONObject: fields)
        return try PurchaseRequest(body: JSONRequestBody(bytes: Array(data)), flow: .reserveAndTransact)
    }

    @Test("50 concurrent identical requests create exactly one transaction; the others see it in progress")
    func concurrentIdenticalClaims() async throws {
        try await TestDatabase.with(poolSize: 8) { db, _ in
            let store = PurchaseStore(database: db)
            let purchase = try request()
            let claims = try await withThrowingTaskGroup(of: PurchaseStore.Claim.self) { group in
                for _ in 0..<50 { group.addTask { try await store.claim(purchase, flow: .reserveAndTransact) } }
                return try await group.reduce(into: [PurchaseStore.Claim]()) { $0.append($1) }
            }
            let created = claims.compactMap { if case .claimed(let reference) = $0 { reference } else { nil } }
            #expect(created.count == 1)
            let winner = try #require(created.first)
            #expect(claims.filter { $0 == .inProgress(winner) }.count == 49)
            #expect(try await db.query("SELECT count(*) AS n FROM purchases.transactions").single().decode(Int.self, "n") == 1)
            let history = try await db.query("SELECT state, cause FROM purchases.state_changes WHERE raas_txn_ref = \(winner.uuid)")
            #expect(history.count == 1)
            #expect(try history.single().decode(String.self, "state") == "received")

            // Different content under the same reference is a duplicate; the auth code does not count as content.
            #expect(try await store.claim(try request(["purchaseAmount": 10_001]), flow: .reserveAndTransact) == .duplicate)
            #expect(try await store.claim(try request(["authCode": "9999"]), flow: .reserveAndTransact) == .inProgress(winner))
            // Once answered, a repeat gets the same answer.
            try await db.query("""
                UPDATE purchases.transactions SET state = 'failed', state_cause = 'bank declined', response_code = '2010',
                    response_message = 'Insufficient funds' WHERE raas_txn_ref = \(winner.uuid)
                """)
            #expect(try await store.claim(purchase, flow: .reserveAndTransact)
                == .replay(winner, responseCode: "2010", responseMessage: "Insufficient funds"))
            // Another client's identical reference is its own.
            guard case .claimed = try await store.claim(try request(["clientId": 201]), flow: .reserveAndTransact) else {
                Issue.record("another client's reference was not claimed")
                return
            }
        }
    }

    @Test("a final state never changes, and the state history is append-only")
    func finalStates() async throws {
        try await TestDatabase.with { db, _ in
            guard case .claimed(let reference) = try await PurchaseStore(database: db).claim(try request(), flow: .reserveAndTransact) else {
                Issue.record("not claimed")
                return
            }
            for (state, cause) in [("reserving", "calling the bank"), ("reserved", "bank reserved"), ("vending", "vend 0"), ("success", "dispensed")] {
                try await db.query("UPDATE purchases.transactions SET state = \(state), state_cause = \(cause) WHERE raas_txn_ref = \(reference.uuid)")
            }
            await #expect {
                try await db.query("UPDATE purchases.transactions SET state = 'failed' WHERE raas_txn_ref = \(reference.uuid)")
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU001" }
            let states = try await db.query("""
                SELECT state FROM purchases.state_changes WHERE raas_txn_ref = \(reference.uuid) ORDER BY sequence
                """).map { try $0.decode(String.self, "state") }
            #expect(states == ["received", "reserving", "reserved", "vending", "success"])
            await #expect {
                try await db.query("DELETE FROM purchases.state_changes")
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU002" }
        }
    }
}
