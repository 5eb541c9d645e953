import Foundation
import Postgres
import Testing

/// Format rules, business checks, the Transact flow and vendor confirmations, over HTTP.
@Suite("Purchase rules end to end", .serialized)
struct PurchaseRulesTests {
    @Test("every field rule is 400 4000 in Clickatell's words (API.md §0.2), and nothing is stored")
    func formatErrors() async throws {
        try await PurchaseHarness.with { harness in
            let cases: [(String, [String: Any], String)] = [
                ("clientId too long", ["clientId": 123_456], "clientId :must be less than or equal to 99999"),
                ("clientTxnRef empty", ["clientTxnRef": ""], "clientTxnRef :size must be between 1 and 64"),
                ("clientTxnRef long", ["clientTxnRef": String(repeating: "x", count: 65)], "clientTxnRef :size must be between 1 and 64"),
                ("channelId 0", ["channelId": 0], "channelId :must be greater than 0"),
                ("channelId 100", ["channelId": "100"], "channelId :must be less than or equal to 99"),
                ("channelId fraction", ["channelId": 1.5], "Transaction request not valid"),
                ("channelId empty", ["channelId": ""], "channelId :may not be null"),
                ("channelSessionId", ["channelSessionId": "a-b"], "channelSessionId : must be an alphanumeric"),
                ("productId long", ["productId": "1234567890123"], "productId :must be less than or equal to 999999999999"),
                ("productId letters", ["productId": "11O"], "Transaction request not valid"),
                ("negative amount", ["purchaseAmount": -5], "amount :must be greater than 0"),
                ("amount too large", ["purchaseAmount": 1_000_000_000_000], "amount :must be less than or equal to 999999999999"),
                ("fee too large", ["feeAmount": "1000000000000"], "amount :must be less than or equal to 999999999999"),
                ("exponent", ["purchaseAmount": "1e4"], "Transaction request not valid"),
                ("zero amount", ["purchaseAmount": 0], "amount :must be greater than 0"),
                ("currency lower case", ["currencyCode": "zar"], "Currency Code is invalid"),
                ("currency empty", ["currencyCode": ""], "Currency Code is mandatory"),
                ("currency of another product", ["currencyCode": "NGN"], "Currency Code is invalid"),
                ("funding source empty", ["fundingSourceId": ""], "Funding Source ID is mandatory"),
                ("funding source not the client's", ["fundingSourceId": 4], "Funding Source not linked to Client"),
                ("unknown product", ["productId": 12_345], "productId:12345 not found"),
                ("source", ["sourceIdentifier": "+27831234567"], "sourceIdentifier : must be an alphanumeric"),
                ("target long", ["targetIdentifier": String(repeating: "1", count: 33)], "targetIdentifier :size must be between 1 and 32"),
                ("timestamp", ["timestamp": "yesterday"], "Transaction request not valid"),
                ("timestamp empty", ["timestamp": ""], "timestamp :may not be null"),
                ("authCode long", ["authCode": String(repeating: "9", count: 65)], "authCode :size must be between 1 and 64"),
                ("additionalData", ["additionalData": ["a": 1]], "additionalData :must be an object of at most 20 string pairs"),
                ("reserveFundsTxnRef present", ["reserveFundsTxnRef": "R-1"], "Reserve Funds transaction Reference was not expected"),
                ("not an MSISDN for an airtime product", ["targetIdentifier": "ABC123"],
                 "targetIdentifier :Target Identifier expected to be an MSISDN based on the product"),
            ]
            for (name, overrides, expected) in cases {
                let reply = try await harness.reserveAndTransact(overrides)
                #expect(reply.status == 400 && reply.code == "4000", "\(name): \(reply.text)")
                #expect(reply.json["responseMessage"] == expected, "\(name): \(reply.text)")
            }
            for field in ["sourceIdentifier", "productId", "timestamp", "currencyCode", "fundingSourceId", "purchaseAmount"] {
                var missing = PurchaseHarness.body()
                missing[field] = nil
                let reply = try await harness.post("/reserveAndTransact/4.0", missing)
                let expected = ["currencyCode": "Currency Code is mandatory", "fundingSourceId": "Funding Source ID is mandatory"][field]
                    ?? "\(field) :may not be null"
                #expect(reply.status == 400 && reply.json["responseMessage"] == expected, "\(field): \(reply.text)")
            }
            let malformed = try await harness.post("/reserveAndTransact/4.0", raw: Data("{\"clientId\":".utf8))
            #expect(malformed.status == 400 && malformed.code == "4000" && malformed.json["responseMessage"] == "Transaction request not valid")
            let transactWithout = try await harness.post("/transact/4.0", PurchaseHarness.body())
            #expect(transactWithout.status == 400 && transactWithout.code == "4000")
            #expect(transactWithout.json["responseMessage"] == "Reserve Funds transaction Reference is mandatory")
            #expect(try await harness.db.query("SELECT count(*) AS n FROM purchases.transactions").single().decode(Int.self, "n") == 0)
            #expect(harness.bank.reserveCalls.withLock { $0.isEmpty })
            // An empty or blank accountIdentifier counts as absent: the purchase goes ahead without one.
            let blank = try await harness.reserveAndTransact(["accountIdentifier": " "])
            #expect(blank.status == 200 && blank.code == "0000", "\(blank.text)")
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
                ("inactive", ["productId": 999, "purchaseAmount": 1_000], "2512", "Product inactive"),
                ("below minimum", ["purchaseAmount": 400], "2050", "Below minimum amount"),
                ("above maximum", ["purchaseAmount": 100_100], "2040", "Maximum amount exceeded"),
                ("increment", ["purchaseAmount": 10_050], "2511", "Invalid amount increment: amounts go up in steps of 100"),
                ("fixed below", ["productId": 120, "purchaseAmount": 9_800], "2050", "Below minimum amount"),
                ("fee missing", ["feeAmount": NSNull()], "2055", "No feeAmount provided"),
                ("fee wrong", ["productId": 719, "purchaseAmount": 10_000, "feeAmount": 100, "targetIdentifier": "4001"], "2055", "Invalid Fee Amount"),
                ("blacklisted", ["sourceIdentifier": "27830000666"], "2070", "sourceIdentifier blacklisted"),
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
            // A product that exists but is not the client's reads as one that does not exist: 400, nothing stored.
            let notOurs = try await harness.reserveAndTransact(["productId": 998, "purchaseAmount": 1_000])
            #expect(notOurs.status == 400 && notOurs.json["responseMessage"] == "productId:998 not found" && notOurs.raasTxnRef == nil)
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

    /// A body as a client of an older version sends it (API.md §3.2a): every value a JSON string, only that
    /// version's fields. Product 719 (electricity, fee 200 by the demo terms) unless overridden.
    static func olderBody(_ fields: [String: String]) -> [String: Any] {
        var body: [String: Any] = [
            "clientId": "200", "clientTxnRef": "old-" + UUID().uuidString.prefix(8), "channelId": "7", "channelName": "USSD",
            "channelSessionId": "s1", "productId": "719", "sourceIdentifier": "27831234567", "targetIdentifier": "4001234567",
            "timestamp": "2026-11-29T10:00:00.000Z",
        ]
        for (key, value) in fields { body[key] = value }
        return body
    }

    @Test("the older versions answer as v4 does, with their own field sets and defaults (API.md §3.2a)")
    func olderVersions() async throws {
        try await PurchaseHarness.with { harness in
            let cases: [(String, [String: String], String, String)] = [
                // path, the version's own fields, the flow it is, the message of its acceptance
                ("/raas/v3/reserveAndTransact", ["purchaseAmount": "10000", "feeAmount": "200", "accountIdentifier": "ACC1"],
                 "reserve_and_transact", "Processing request (funds reserved)"),
                ("/raas/v2/reserveAndTransact", ["amount": "10000"], "reserve_and_transact", "Processing request"),
                ("/raas/v1/transact", ["amount": "10000"], "reserve_and_transact", "Processing request"),
                ("/raas/v1/transact", ["amount": "10000", "reserveFundsTxnRef": "HOLD-V1"], "transact", "Processing request"),
                ("/raas/v2/transact", ["amount": "10000", "reserveFundsTxnRef": "HOLD-V2"], "transact", "Processing request"),
                ("/raas/v3/transact", ["amount": "10000", "feeAmount": "200", "reserveFundsTxnRef": "HOLD-V3"], "transact",
                 "Processing request"),
                ("/raas/v4/transact", ["amount": "10000", "feeAmount": "200", "reserveFundsTxnRef": "HOLD-V4", "currencyCode": "ZAR",
                                       "fundingSourceId": "3"], "transact", "Processing request"),
            ]
            for (path, fields, flow, message) in cases {
                let body = Self.olderBody(fields)
                let reply = try await harness.post(path, body)
                #expect(reply.status == 200 && reply.code == "0000" && reply.json["responseMessage"] == message, "\(path) \(fields): \(reply.text)")
                let reference = try #require(reply.raasTxnRef, "\(path)")
                let done = try await harness.waitFor(reference)
                #expect(done.state == "success" && done.token?.count == 20, "\(path) \(fields)")
                let row = try await harness.db.query("""
                    SELECT flow, funding_source_id, currency_code, fee_amount, reserve_amount FROM purchases.transactions
                    WHERE raas_txn_ref = \(try #require(UUID(uuidString: reference)))
                    """).single()
                #expect(try row.decode(String.self, "flow") == flow, "\(path) \(fields)")
                #expect(try row.decode(Int64.self, "funding_source_id") == 3 && row.decode(String.self, "currency_code") == "ZAR")
                #expect(try row.decode(Int64.self, "fee_amount") == 200 && row.decode(Int64.self, "reserve_amount") == 10_200)
                // A repeat gets the same answer in the version's words.
                let repeated = try await harness.post(path, body)
                #expect(repeated.raasTxnRef == reference && repeated.json["responseMessage"] == message, "\(repeated.text)")
            }
            // From v3 the fee is the client's to state; before it, the terms say.
            let noFee = try await harness.post("/raas/v3/reserveAndTransact", Self.olderBody(["purchaseAmount": "10000"]))
            #expect(noFee.code == "2055" && noFee.json["responseMessage"] == "No feeAmount provided")
            let wrongFee = try await harness.post("/raas/v2/reserveAndTransact", Self.olderBody(["amount": "10000", "feeAmount": "1"]))
            #expect(wrongFee.code == "2055" && wrongFee.json["responseMessage"] == "Invalid Fee Amount")
            // The v1 and v2 amount is `amount`, and it is required.
            let noAmount = try await harness.post("/raas/v2/reserveAndTransact", Self.olderBody([:]))
            #expect(noAmount.status == 400 && noAmount.json["responseMessage"] == "amount :may not be null")
            let tooMuch = try await harness.post("/raas/v1/transact", Self.olderBody(["amount": "1000000000000"]))
            #expect(tooMuch.status == 400 && tooMuch.json["responseMessage"] == "amount :must be less than or equal to 999999999999")
            #expect(try await harness.post("/raas/v3/transact", Self.olderBody(["amount": "10000", "feeAmount": "200"]))
                .json["responseMessage"] == "Reserve Funds transaction Reference is mandatory")

            // Without a default, a client's only funding source is the one; with two and no default, none is.
            try await harness.db.query("UPDATE catalogue.clients SET default_funding_source_id = NULL WHERE client_id = 200")
            let onlyOne = try await harness.post("/raas/v2/reserveAndTransact", Self.olderBody(["amount": "10000"]))
            #expect(onlyOne.code == "0000", "\(onlyOne.text)")
            try await harness.db.query("""
                INSERT INTO catalogue.funding_sources (funding_source_id, name, adapter) VALUES (4, 'Second bank', 'simulated');
                """)
            try await harness.db.query("INSERT INTO catalogue.client_funding_sources VALUES (200, 4)")
            let ambiguous = try await harness.post("/raas/v2/reserveAndTransact", Self.olderBody(["amount": "10000"]))
            #expect(ambiguous.status == 400 && ambiguous.json["responseMessage"] == "Funding Source ID is mandatory", "\(ambiguous.text)")
            try await harness.db.query("UPDATE catalogue.clients SET default_funding_source_id = 4 WHERE client_id = 200")
            let chosen = try await harness.post("/raas/v2/reserveAndTransact", Self.olderBody(["amount": "10000"]))
            let chosenRow = try await harness.db.query("""
                SELECT funding_source_id FROM purchases.transactions WHERE raas_txn_ref = \(UUID(uuidString: chosen.raasTxnRef ?? "") ?? UUID())
                """).single()
            #expect(try chosenRow.decode(Int64.self, "funding_source_id") == 4)
            // A default the client is not linked to cannot be stored.
            await #expect(throws: (any Error).self) {
                try await harness.db.query("UPDATE catalogue.clients SET default_funding_source_id = 5 WHERE client_id = 200")
            }
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
