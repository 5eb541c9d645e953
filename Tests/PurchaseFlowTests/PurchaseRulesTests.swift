import Foundation
import Postgres
import Testing

/// Format rules, business checks, the Transact flow and vendor confirmations, over HTTP.
@Suite("Purchase rules end to end", .serialized)
struct PurchaseRulesTests {
    @Test("every field rule is 400 4000 naming the field, and nothing is stored")
    func formatErrors() async throws {
        try await PurchaseHarness.with { harness in
            let cases: [(String, [String: Any], String)] = [
                ("clientId", ["clientId": 123_456], "clientId"),
                ("clientTxnRef empty", ["clientTxnRef": ""], "clientTxnRef :size must be between 1 and 64"),
                ("clientTxnRef long", ["clientTxnRef": String(repeating: "x", count: 65)], "clientTxnRef :size must be between 1 and 64"),
                ("channelId 0", ["channelId": 0], "channelId"),
                ("channelId fraction", ["channelId": 1.5], "channelId"),
                ("channelSessionId", ["channelSessionId": "a-b"], "channelSessionId"),
                ("productId long", ["productId": "1234567890123"], "productId"),
                ("negative amount", ["purchaseAmount": -5], "purchaseAmount"),
                ("exponent", ["purchaseAmount": "1e4"], "purchaseAmount"),
                ("zero amount", ["purchaseAmount": 0], "purchaseAmount"),
                ("currency", ["currencyCode": "zar"], "currencyCode"),
                ("source", ["sourceIdentifier": "+27831234567"], "sourceIdentifier"),
                ("target long", ["targetIdentifier": String(repeating: "1", count: 33)], "targetIdentifier"),
                ("timestamp", ["timestamp": "yesterday"], "timestamp"),
                ("authCode long", ["authCode": String(repeating: "9", count: 65)], "authCode"),
                ("additionalData", ["additionalData": ["a": 1]], "additionalData"),
                ("reserveFundsTxnRef present", ["reserveFundsTxnRef": "R-1"],
                 "reserveFundsTxnRef :Reserve Funds transaction Reference was not expected"),
                ("not an MSISDN for an airtime product", ["targetIdentifier": "ABC123"],
                 "targetIdentifier :Target Identifier expected to be an MSISDN based on the product"),
            ]
            for (name, overrides, expected) in cases {
                let reply = try await harness.reserveAndTransact(overrides)
                #expect(reply.status == 400 && reply.code == "4000", "\(name): \(reply.text)")
                #expect(reply.json["responseMessage"]?.hasPrefix(expected) == true, "\(name): \(reply.text)")
            }
            var missing = PurchaseHarness.body()
            missing["sourceIdentifier"] = nil
            let reply = try await harness.post("/reserveAndTransact/4.0", missing)
            #expect(reply.status == 400 && reply.json["responseMessage"] == "sourceIdentifier :must not be null")
            let malformed = try await harness.post("/reserveAndTransact/4.0", raw: Data("{\"clientId\":".utf8))
            #expect(malformed.status == 400 && malformed.code == "4000")
            let transactWithout = try await harness.post("/transact/4.0", PurchaseHarness.body())
            #expect(transactWithout.status == 400)
            #expect(transactWithout.json["responseMessage"] == "reserveFundsTxnRef :Reserve Funds transaction Reference is mandatory")
            #expect(try await harness.db.query("SELECT count(*) AS n FROM purchases.transactions").single().decode(Int.self, "n") == 0)
            #expect(harness.bank.reserveCalls.withLock { $0.isEmpty })
        }
    }

    @Test("business checks answer 200 with their code, store the purchase as FAILED and never call the bank")
    func businessRejections() async throws {
        try await PurchaseHarness.with { harness in
            try await harness.db.query("""
                INSERT INTO catalogue.products (product_id, product_type_id, vendor_id, description, short_description,
                    currency_code, fixed_amount, target_identifier_kind, active)
                VALUES (999, 3, 100, 'Retired airtime', 'Retired', 'ZAR', 1000, 'msisdn', false), (998, 3, 100, 'Not ours', 'No', 'ZAR', 1000, 'msisdn', true)
                """)
            try await harness.db.query("INSERT INTO catalogue.client_products VALUES (200, 999)")
            let cases: [(String, [String: Any], String, String)] = [
                ("not linked", ["productId": 998, "purchaseAmount": 1_000], "2513", "Product not linked to the client"),
                ("unknown product", ["productId": 12_345], "2513", "Product not linked to the client"),
                ("inactive", ["productId": 999, "purchaseAmount": 1_000], "2512", "Product inactive"),
                ("below minimum", ["purchaseAmount": 400], "2050", "Below minimum amount"),
                ("above maximum", ["purchaseAmount": 100_100], "2040", "Maximum amount exceeded"),
                ("increment", ["purchaseAmount": 10_050], "2511", "Invalid amount increment: amounts go up in steps of 100"),
                ("fixed below", ["productId": 120, "purchaseAmount": 9_800], "2050", "Below minimum amount"),
                ("fee missing", ["feeAmount": NSNull()], "2055", "No feeAmount provided"),
                ("fee wrong", ["productId": 719, "purchaseAmount": 10_000, "feeAmount": 100, "targetIdentifier": "4001"], "2055", "Invalid fee amount"),
                ("currency", ["currencyCode": "NGN"], "4000", "currencyCode :must be ZAR, the product's currency"),
                ("blacklisted", ["sourceIdentifier": "27830000666"], "2070", "sourceIdentifier blacklisted"),
                ("funding source", ["fundingSourceId": 4], "4000", "fundingSourceId :is not linked to the client"),
            ]
            for (name, overrides, code, message) in cases {
                var body = PurchaseHarness.body(overrides)
                if overrides["feeAmount"] is NSNull { body["feeAmount"] = nil }
                let reply = try await harness.post("/reserveAndTransact/4.0", body)
                #expect(reply.status == 200 && reply.code == code && reply.json["responseMessage"] == message, "\(name): \(reply.text)")
                let reference = try #require(reply.raasTxnRef, "\(name)")
                #expect(try await harness.transaction(reference).state == "failed", "\(name)")
            }
            #expect(harness.bank.reserveCalls.withLock { $0.isEmpty })
            // A vendor float that cannot cover the purchase: 2221, nothing held.
            try await harness.db.query("""
                SELECT ledger.create_transfer(gen_random_uuid(), 'single', ARRAY['vendor:100:float:ZAR', 'equity:opening-balances:ZAR'],
                    ARRAY[-99999990000, 99999990000]::bigint[])
                """)
            let short = try await harness.reserveAndTransact(["purchaseAmount": 20_000])
            #expect(short.status == 200 && short.code == "2221" && short.json["responseMessage"] == "Insufficient vendor float")
            #expect(harness.bank.reserveCalls.withLock { $0.isEmpty })
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    @Test("Transact: accepted at once, vended, and the result delivered to the client's transactResultUrl")
    func transactFlow() async throws {
        try await PurchaseHarness.with { harness in
            let reply = try await harness.post("/raas/v4/transact", PurchaseHarness.body([
                "reserveFundsTxnRef": "CLIENT-HOLD-1", "productId": 571, "purchaseAmount": 7_990, "feeAmount": 80]))
            #expect(reply.status == 200 && reply.code == "0000" && reply.json["responseMessage"] == "Processing request")
            let reference = try #require(reply.raasTxnRef)
            let done = try await harness.waitFor(reference)
            #expect(done.state == "success" && done.token?.count == 16)
            let delivered = try #require(harness.bank.clientResultBodies(reference).first.map(PurchaseHarness.fields))
            #expect(delivered["reserveFundsTxnRef"] as? String == "CLIENT-HOLD-1" && delivered["token"] as? String == done.token)
            #expect(harness.bank.resultBodies(reference).isEmpty && harness.bank.reserveCount(reference) == 0)
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    @Test("a vendor confirms an unknown vend: role vendor, own vendorId only; a disagreeing confirmation of a final one is a conflict")
    func vendorConfirmations() async throws {
        try await PurchaseHarness.with(adjust: {
            $0.workers.maxStatusPolls = 0
            $0.workers.statusPollDelayMs = 5_000
        }) { harness in
            // With no quick status polls, an unknown outcome waits for the vendor (the slow poll is a minute away).
            let reference = try #require(try await harness.reserveAndTransact(["targetIdentifier": "27831232240"]).raasTxnRef)
            try await harness.waitFor(reference) { $0.state == "vend_pending" }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await harness.transaction(reference).state == "vend_pending")
            let vendorToken = try await PurchaseHarness.issueToken(
                http: harness.http, service: harness.service, clientId: 9100, secret: "vendor-secret-change-me")
            let confirmation: [String: Any] = [
                "vendorId": 100, "raasTxnRef": reference, "vendReference": reference + "-0000", "responseCode": "0000",
                "responseMessage": "Dispensed", "token": "", "timestamp": "2026-11-29T10:00:01Z",
            ]
            let bank = try await harness.post("/vendorResult/1.0", confirmation)
            #expect(bank.status == 403)
            var other = confirmation
            other["vendorId"] = 200
            #expect(try await harness.post("/vendorResult/1.0", other, token: vendorToken, apiKey: "vendor-api-key-change-me").status == 403)
            var never = confirmation
            never["vendReference"] = reference + "-0001"
            #expect(try await harness.post("/vendorResult/1.0", never, token: vendorToken, apiKey: "vendor-api-key-change-me").status == 404)
            let applied = try await harness.post("/vendorResult/1.0", confirmation, token: vendorToken, apiKey: "vendor-api-key-change-me")
            #expect(applied.status == 200 && applied.code == "0000", "\(applied.text)")
            let done = try await harness.waitFor(reference)
            #expect(done.state == "success" && done.delivery == "acknowledged")
            // Agreeing again changes nothing; disagreeing is recorded for support.
            #expect(try await harness.post("/vendorResult/1.0", confirmation, token: vendorToken, apiKey: "vendor-api-key-change-me").status == 200)
            var disagree = confirmation
            disagree["responseCode"] = "2213"
            #expect(try await harness.post("/vendorResult/1.0", disagree, token: vendorToken, apiKey: "vendor-api-key-change-me").status == 200)
            #expect(try await harness.transaction(reference).state == "success")
            #expect(try await harness.db.query("SELECT count(*) AS n FROM purchases.vendor_conflicts").single().decode(Int.self, "n") == 1)
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    @Test("a client that requires signatures: a missing or wrong Signature is 400 4000 and nothing is stored; a right one passes")
    func signatures() async throws {
        try await PurchaseHarness.with { harness in
            try await harness.db.query("""
                UPDATE catalogue.clients SET signature_required = true, signature_secret_sealed = \(try harness.sealedSignatureSecret())
                WHERE client_id = 200
                """)
            try await Task.sleep(for: .milliseconds(2_100))  // the client directory's cache
            let raw = try JSONSerialization.data(withJSONObject: PurchaseHarness.body())
            let unsigned = try await harness.post("/reserveAndTransact/4.0", raw: raw)
            #expect(unsigned.status == 400 && unsigned.json["responseMessage"] == "Header Signature invalid")
            let signed = try await harness.post("/reserveAndTransact/4.0", raw: raw, signature: harness.signature(raw))
            #expect(signed.status == 200 && signed.code == "0000", "\(signed.text)")
            #expect(try await harness.db.query("SELECT count(*) AS n FROM purchases.transactions").single().decode(Int.self, "n") == 1)
        }
    }
}
