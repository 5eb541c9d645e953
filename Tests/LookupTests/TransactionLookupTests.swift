import Foundation
import Testing

@Suite("GET /lookup-api/2.0")
struct TransactionLookupTests {
    @Test("by raasTxnRef, clientTxnRef (and its alias) or reserveFundsTxnRef; every field, null when absent")
    func byEachReference() async throws {
        try await LookupHarness.with { harness in
            let ref = try await harness.addPurchase("c-1", buyer: "27821111111", token: nil, reserveFundsTxnRef: "bank-77")
            let pending = try await harness.addPurchase("c-2", buyer: "27821111111", state: "vending")
            try await harness.serve { client in
                for query in ["raasTxnRef=\(ref)", "raasTxnRef=\(ref.uppercased())", "clientTxnRef=c-1",
                              "clientTransactionReference=c-1", "reserveFundsTxnRef=bank-77",
                              "raasTxnRef=\(ref)&clientTxnRef=c-1&reserveFundsTxnRef=bank-77"] {
                    let answer = try await harness.get(client, "/lookup-api/2.0?clientId=200&\(query)")
                    #expect(answer.status == .ok, "\(query)")
                    let body = answer.object
                    #expect(body["raasTxnRef"] as? String == ref && body["clientTxnRef"] as? String == "c-1", "\(query)")
                    #expect(body["transactionStatus"] as? String == "SUCCESS" && body["transactResultResponseCode"] as? String == "0000")
                    #expect(body["reserveFundsTxnRef"] as? String == "bank-77" && body["reserveFundsResponseCode"] as? String == "0000")
                    #expect(body["amount"] as? Int == 1_000 && body["purchaseAmount"] as? Int == 1_000)
                    #expect(body["settlementAmount"] as? Int == 900 && body["clientShareAmount"] as? Int == 100)
                    #expect(body["id"] is Int && body["channelId"] as? Int == 3 && body["productId"] as? Int == 110)
                    #expect((body["timestamp"] as? String)?.hasSuffix("Z") == true)
                    // Absent values are null, never missing keys.
                    #expect(body.keys.contains("token") && body["token"] is NSNull)
                }
                let answer = try await harness.get(client, "/lookup-api/2.0?clientId=200&raasTxnRef=\(pending)")
                #expect(answer.object["transactionStatus"] as? String == "PENDING")
                #expect(answer.object["transactResultResponseCode"] is NSNull && answer.object["reserveFundsTxnRef"] is NSNull)
            }
        }
    }

    @Test("not found: unknown, another client's, older than 30 days, or references of different transactions")
    func notFound() async throws {
        try await LookupHarness.with { harness in
            let mine = try await harness.addPurchase("c-1", buyer: "27821111111", reserveFundsTxnRef: "bank-1")
            let theirs = try await harness.addPurchase("c-9", client: 201, buyer: "27821111111")
            _ = try await harness.addPurchase("old-1", buyer: "27821111111", minutesAgo: 31 * 24 * 60)
            _ = try await harness.addPurchase("recent-1", buyer: "27821111111", minutesAgo: 29 * 24 * 60)
            _ = try await harness.addPurchase("c-2", buyer: "27821111111")
            try await harness.serve { client in
                for (query, named) in [("clientTxnRef=nope", "nope"), ("raasTxnRef=\(theirs)", theirs), ("clientTxnRef=c-9", "c-9"),
                                       ("clientTxnRef=old-1", "old-1"), ("raasTxnRef=\(mine)&clientTxnRef=c-2", mine),
                                       ("clientTxnRef=c-1&reserveFundsTxnRef=bank-2", "c-1"),
                                       // A raasTxnRef that is not a UUID matches nothing, whatever its shape (API.md §6).
                                       ("raasTxnRef=not-a-uuid", "not-a-uuid"), ("raasTxnRef=12345", "12345"),
                                       ("raasTxnRef=not-a-uuid&clientTxnRef=c-1", "not-a-uuid")] {
                    let answer = try await harness.get(client, "/lookup-api/2.0?clientId=200&\(query)")
                    #expect(answer.status == .notFound, "\(query)")
                    #expect(answer.responseMessage == "Client transaction reference ID \(named) not found", "\(query)")
                }
                #expect(try await harness.get(client, "/lookup-api/2.0?clientId=200&clientTxnRef=recent-1").status == .ok)
            }
        }
    }

    @Test("parameter rules: 400 naming the field; another clientId is 403")
    func parameterRules() async throws {
        try await LookupHarness.with { harness in
            try await harness.serve { client in
                let missing = try await harness.get(client, "/lookup-api/2.0?clientId=200")
                #expect(missing.status == .badRequest && missing.responseMessage
                    == "Missing parameter; at least one of these parameters are mandatory: raasTxnRef, clientTxnRef or reserveFundsTxnRef")
                for (query, message) in [
                    ("clientTxnRef=x", "clientId :may not be null"),
                    ("clientId=2x&clientTxnRef=x", "Transaction request not valid"),
                    ("clientId=200&clientTxnRef=\(String(repeating: "x", count: 65))", "clientTxnRef :size must be between 1 and 64"),
                    ("clientId=200&clientTxnRef=a&clientTransactionReference=b", "clientTxnRef :must equal clientTransactionReference when both are given"),
                    ("clientId=200&clientTxnRef=a&clientTxnRef=b", "clientTxnRef :must be given once"),
                ] {
                    let answer = try await harness.get(client, "/lookup-api/2.0?\(query)")
                    #expect(answer.status == .badRequest && answer.responseCode == "4000", "\(query)")
                    #expect(answer.responseMessage == message, "\(query)")
                }
                #expect(try await harness.get(client, "/lookup-api/2.0?clientId=201&clientTxnRef=c-9").status == .forbidden)
                // Another client's id is refused before anything is looked up, whatever the reference.
                #expect(try await harness.get(client, "/lookup-api/2.0?clientId=201&raasTxnRef=not-a-uuid").status == .forbidden)
            }
        }
    }

    @Test("after a fail-over kills the lookup pool's connections, the next lookup answers 200: a read is retried once")
    func readRetriedAfterLostConnection() async throws {
        try await LookupHarness.with { harness in
            _ = try await harness.addPurchase("c-1", buyer: "27821111111")
            try await harness.serve { client in
                for round in 0..<5 {
                    #expect(try await harness.get(client, "/lookup-api/2.0?clientId=200&clientTxnRef=c-1").status == .ok)
                    #expect(try await harness.terminateLookupConnections() >= 1, "round \(round)")
                    let answer = try await harness.get(client, "/lookup-api/2.0?clientId=200&clientTxnRef=c-1")
                    #expect(answer.status == .ok, "round \(round): \(answer.status) \(answer.responseMessage ?? "")")
                }
            }
        }
    }
}
