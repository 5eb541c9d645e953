import AsyncHTTPClient
import Foundation
import NIOCore
import Postgres
import Support
import TestSupport
import Testing

/// The support API (API.md §8) over real purchases: the service live in this process, the bank and the vendor
/// simulated over HTTP.
@Suite("Support API: search, story, resend, exceptions, settlement, audit (API.md §8)", .serialized)
struct SupportFlowTests {
    static func supportToken(_ harness: PurchaseHarness) async throws -> String {
        try await PurchaseHarness.issueToken(
            http: harness.http, service: harness.service, clientId: 9001, secret: "support-secret-change-me")
    }

    static func get(_ harness: PurchaseHarness, _ path: String, token: String, apiKey: String = "support-api-key-change-me")
        async throws -> (status: Int, text: String, type: String?)
    {
        var request = HTTPClientRequest(url: harness.service + path)
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        request.headers.add(name: "X-API-Key", value: apiKey)
        let response = try await harness.http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), String(buffer: body), response.headers.first(name: "Content-Type"))
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Three purchases of the demo client: two vended (one an electricity token), one declined by the bank.
    static func purchases(_ harness: PurchaseHarness) async throws -> (airtime: String, electricity: String, declined: String) {
        let airtime = try #require(try await harness.reserveAndTransact(["clientTxnRef": "sup-airtime"]).raasTxnRef)
        let electricity = try #require(try await harness.reserveAndTransact([
            "clientTxnRef": "sup-elec", "productId": 719, "purchaseAmount": 10_000, "feeAmount": 200,
            "targetIdentifier": "4001234567",
        ]).raasTxnRef)
        let declined = try #require(try await harness.reserveAndTransact([
            "clientTxnRef": "sup-declined", "sourceIdentifier": "27830002010",
        ]).raasTxnRef)
        try await harness.waitFor(airtime)
        try await harness.waitFor(electricity)
        return (airtime, electricity, declined)
    }

    @Test("search across clients by reference, buyer, recipient, client, product and status, newest first, page by page")
    func search() async throws {
        try await PurchaseHarness.with { harness in
            let (airtime, electricity, declined) = try await Self.purchases(harness)
            let token = try await Self.supportToken(harness)
            func references(_ query: String) async throws -> [String] {
                let answer = try await Self.get(harness, "/support/transactions?" + query, token: token)
                #expect(answer.status == 200, "\(query): \(answer.text)")
                return (Self.object(answer.text)["transactions"] as? [[String: Any]] ?? []).compactMap { $0["raasTxnRef"] as? String }
            }
            #expect(try await references("") == [declined, electricity, airtime])
            #expect(try await references("clientTxnRef=sup-elec") == [electricity])
            #expect(try await references("raasTxnRef=\(airtime)") == [airtime])
            #expect(try await references("sourceIdentifier=27830002010") == [declined])
            #expect(try await references("targetIdentifier=4001234567") == [electricity])
            #expect(try await references("clientId=200&productId=719") == [electricity])
            #expect(try await references("status=FAILED") == [declined])
            #expect(try await references("status=success&vendorId=100") == [airtime])
            #expect(try await references("clientId=201").isEmpty)
            // One row a page: every transaction once, in order, then no cursor.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let answer = try await Self.get(
                    harness, "/support/transactions?limit=1" + (cursor.map { "&cursor=" + $0 } ?? ""), token: token)
                let page = Self.object(answer.text)
                seen += (page["transactions"] as? [[String: Any]] ?? []).compactMap { $0["raasTxnRef"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == [declined, electricity, airtime])
            // Refusals: a bad status, a bad cursor, too wide a range without an identifier; not for clients.
            #expect(try await Self.get(harness, "/support/transactions?status=DONE", token: token).status == 400)
            #expect(try await Self.get(harness, "/support/transactions?cursor=nope", token: token).status == 400)
            let wide = try await Self.get(
                harness, "/support/transactions?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", token: token)
            #expect(wide.status == 400 && wide.text.contains("within 31 days"))
            #expect(try await references("sourceIdentifier=27830002010&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z") == [declined])
            let asClient = try await Self.get(harness, "/support/transactions", token: harness.token, apiKey: "demo-api-key-change-me")
            #expect(asClient.status == 403)
        }
    }

    @Test("a transaction's whole story; one more result delivery on request, the same bytes; every call audited")
    func storyAndResend() async throws {
        try await PurchaseHarness.with { harness in
            let (_, electricity, declined) = try await Self.purchases(harness)
            let token = try await Self.supportToken(harness)
            let story = try await Self.get(harness, "/support/transactions/\(electricity)", token: token)
            #expect(story.status == 200)
            let whole = Self.object(story.text)
            let transaction = try #require(whole["transaction"] as? [String: Any])
            #expect(transaction["transactionStatus"] as? String == "SUCCESS")
            #expect((transaction["token"] as? String)?.count == 20)
            let states = (whole["stateChanges"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
            // The process that heard the bank's answer started the first vend attempt in the same change.
            #expect(states == ["reserving", "vending", "success"])
            let calls = (whole["calls"] as? [[String: Any]] ?? []).compactMap { $0["operation"] as? String }
            #expect(calls.starts(with: ["reserveFunds", "vend"]) && calls.contains("transactResult"))
            #expect((whole["calls"] as? [[String: Any]] ?? []).allSatisfy { $0["latencyMs"] is Int || $0["operation"] as? String == "vendorResult" })
            let transfers = (whole["ledgerTransfers"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(transfers == ["pending", "post"])
            // The post (in full, with no postings of its own) shows what it moved: the pending transfer's postings.
            let postings = (whole["ledgerTransfers"] as? [[String: Any]] ?? []).map { transfer in
                (transfer["postings"] as? [[String: Any]] ?? []).compactMap { "\($0["account"] ?? "")=\($0["amount"] ?? "")" }
            }
            #expect(postings.count == 2 && !postings[0].isEmpty && postings[0] == postings[1], "\(postings)")
            let delivery = try #require(whole["resultDelivery"] as? [String: Any])
            #expect(delivery["status"] as? String == "acknowledged" && delivery["attempts"] as? Int == 1)
            // The token SMS sent about it (the demo client has autoNotifyTokens).
            #expect((whole["notifications"] as? [[String: Any]])?.count == 1)
            #expect(!story.text.contains("authCode") && !story.text.contains("1234\""))
            #expect(try await Self.get(harness, "/support/transactions/\(UUID())", token: token).status == 404)

            let first = harness.bank.resultBodies(electricity)
            let resent = try await harness.post(
                "/support/transactions/\(electricity)/resend-result", [:], token: token, apiKey: "support-api-key-change-me")
            #expect(resent.status == 202, "\(resent.text)")
            for _ in 0..<200 where harness.bank.resultBodies(electricity).count < 2 { try await Task.sleep(for: .milliseconds(50)) }
            let bodies = harness.bank.resultBodies(electricity)
            #expect(bodies.count == 2 && Set(bodies).count == 1 && bodies.first == first.first)
            // A bank decline reserved nothing: no result to send.
            let nothing = try await harness.post(
                "/support/transactions/\(declined)/resend-result", [:], token: token, apiKey: "support-api-key-change-me")
            #expect(nothing.status == 409)

            let audit = try await harness.db.query("""
                SELECT action, target FROM support.audit_log WHERE actor_client_id = 9001 AND channel = 'api' ORDER BY id
                """).map { "\(try $0.decode(String.self, "action"))/\(try $0.decode(String?.self, "target") ?? "")" }
            #expect(audit.first == "view transaction/\(electricity)" && audit.count == 4, "\(audit)")
            #expect(audit.contains("resend result/\(electricity)") && audit.contains("resend result/\(declined)"))
            await #expect(throws: PostgresError.self) { try await harness.db.query("DELETE FROM support.audit_log") }
        }
    }

    @Test("exceptions: results unacknowledged past 7 business days or the window, unknown reservations, vendor conflicts")
    func exceptions() async throws {
        try await PurchaseHarness.with { harness in
            let (airtime, electricity, _) = try await Self.purchases(harness)
            let token = try await Self.supportToken(harness)
            #expect((Self.object(try await Self.get(harness, "/support/exceptions", token: token).text)["exceptions"] as? [Any])?.isEmpty == true)
            // The airtime result never acknowledged, delivered first 10 days ago; the electricity one 2 days ago.
            // (A result given up keeps a delivery job that is never due; a pending one's is due later, here.)
            try await harness.db.query("""
                UPDATE purchases.transactions SET final_at = now() - interval '10 days'
                WHERE raas_txn_ref = \(UUID(uuidString: airtime)!)
                """)
            try await harness.db.query("SELECT purchases.add_job(\(UUID(uuidString: airtime)!), 'deliver_result', NULL)")
            try await harness.db.query("""
                UPDATE purchases.transactions SET final_at = now() - interval '2 days'
                WHERE raas_txn_ref = \(UUID(uuidString: electricity)!)
                """)
            try await harness.db.query("""
                SELECT purchases.add_job(\(UUID(uuidString: electricity)!), 'deliver_result', now() + interval '1 day')
                """)
            try await harness.db.query("""
                INSERT INTO purchases.vendor_conflicts (raas_txn_ref, vend_reference, response_code, response_message)
                VALUES (\(UUID(uuidString: electricity)!), \(electricity + "-0000"), '2213', 'Invalid MSISDN')
                """)
            // A bank without a status lookup: a reservation it never answered stays unknown.
            try await harness.db.query("UPDATE catalogue.funding_sources SET status_lookup_url = NULL")
            let unanswered = try #require(try await harness.reserveAndTransact([
                "clientTxnRef": "sup-unanswered", "sourceIdentifier": "27830002060",
            ]).raasTxnRef)
            try await harness.waitFor(unanswered, seconds: 30) { $0.resultCode == "2060" }
            let answer = try await Self.get(harness, "/support/exceptions", token: token)
            let items = (Self.object(answer.text)["exceptions"] as? [[String: Any]] ?? []).map {
                "\($0["kind"] as? String ?? "")/\($0["raasTxnRef"] as? String ?? "")"
            }
            #expect(Set(items) == [
                "unacknowledged_result/\(airtime)", "vendor_conflict/\(electricity)", "unknown_reservation/\(unanswered)",
            ], "\(answer.text)")
            // Business days skip weekends and the configured holidays: Thursday 24 December 2026 plus one business
            // day, with the 25th a holiday, is Monday the 28th.
            let next = try await harness.db.query("""
                SELECT support.add_business_days('2026-12-24T10:00:00Z', 1, '{2026-12-25}')::text AS day
                """).single().decode(String.self, "day")
            #expect(next.hasPrefix("2026-12-28 10:00:00"))
        }
    }

    @Test("the settlement file: every purchase posted on the day, totals equal to the ledger's, CSV and JSON, API and CLI")
    func settlement() async throws {
        try await PurchaseHarness.with { harness in
            let (airtime, electricity, declined) = try await Self.purchases(harness)
            let token = try await Self.supportToken(harness)
            let today = try await harness.db.query("SELECT (now() AT TIME ZONE 'UTC')::date::text AS d").single().decode(String.self, "d")
            let json = try await Self.get(harness, "/support/reports/settlement?date=\(today)", token: token)
            #expect(json.status == 200 && json.type == "application/json")
            let report = Self.object(json.text)
            let lines = (report["transactions"] as? [[String: Any]] ?? []).compactMap { $0["raasTxnRef"] as? String }
            #expect(Set(lines) == [airtime, electricity] && !lines.contains(declined))
            let total = try #require((report["totals"] as? [[String: Any]])?.first)
            // What the ledger's posts of the day's purchases moved, by account (a post in full moves its pending
            // transfer's postings).
            let ledger = try await harness.db.query("""
                SELECT coalesce(sum(p.amount) FILTER (WHERE a.code LIKE 'client:%:receivable:ZAR'), 0) AS settlement,
                       coalesce(-sum(p.amount) FILTER (WHERE a.code LIKE 'vendor:%:float:ZAR'), 0) AS vendor_owed,
                       coalesce(-sum(p.amount) FILTER (WHERE a.code = 'revenue:ZAR'), 0) AS revenue,
                       count(DISTINCT x.id) AS transfers
                FROM ledger.transfers x CROSS JOIN LATERAL ledger.moved_postings(x.id) p JOIN ledger.accounts a ON a.id = p.account_id
                WHERE x.kind = 'post' AND x.description LIKE 'purchase %' AND x.created_at::date = \(today)::date
                """).single()
            #expect((total["settlementAmount"] as? Int).map(Int64.init) == (try ledger.decode(Int64.self, "settlement")))
            #expect((total["vendorOwed"] as? Int).map(Int64.init) == (try ledger.decode(Int64.self, "vendor_owed")))
            #expect((total["revenue"] as? Int).map(Int64.init) == (try ledger.decode(Int64.self, "revenue")))
            #expect(total["count"] as? Int == (try ledger.decode(Int.self, "transfers")))
            let csv = try await Self.get(harness, "/support/reports/settlement?date=\(today)&format=csv", token: token)
            #expect(csv.status == 200 && csv.type?.hasPrefix("text/csv") == true)
            let records = csv.text.split(separator: "\r\n")
            #expect(records.count == 4 && records[0].hasPrefix("recordType,raasTxnRef") && records[3].hasPrefix("total,"))
            // The command line writes the same file.
            let cli = try await TransactProcess.run(
                ["report", "settlement", "--date", today, "--format", "csv"],
                environment: ProcessRecoveryTests.environment(harness.database))
            #expect(cli.status == 0 && cli.output == csv.text, "\(cli.output)")
            // Filters and refusals.
            let vendor200 = Self.object(try await Self.get(harness, "/support/reports/settlement?date=\(today)&vendorId=200", token: token).text)
            #expect((vendor200["transactions"] as? [[String: Any]])?.compactMap { $0["raasTxnRef"] as? String } == [electricity])
            #expect(try await Self.get(harness, "/support/reports/settlement?date=2026-02-30", token: token).status == 400)
            #expect(try await Self.get(harness, "/support/reports/settlement?date=\(today)&format=xml", token: token).status == 400)
        }
    }
}
