import Foundation
import Postgres
import Testing

/// API.md §3.1's outcome table and §3.4's vendor behaviours, end to end over HTTP.
@Suite("Reserve and Transact end to end", .serialized)
struct ReserveAndTransactFlowTests {
    @Test("reserved → vended → result delivered to the bank, which debits its hold; the ledger posts the purchase")
    func reservedAndVended() async throws {
        try await PurchaseHarness.with { harness in
            let reply = try await harness.reserveAndTransact(["purchaseAmount": "10000", "channelId": "7"])
            #expect(reply.status == 200)
            #expect(reply.code == "0000")
            #expect(reply.json["responseMessage"] == "Processing request (funds reserved)")
            let reference = try #require(reply.raasTxnRef)
            let done = try await harness.waitFor(reference)
            #expect(done.state == "success" && done.resultCode == "0000" && done.delivery == "acknowledged")
            #expect(harness.vendor.references(reference) == [reference + "-0000"])
            #expect(harness.bank.reserveCount(reference) == 1)
            #expect(harness.bank.simulated.bank.hold(for: reference)?.state == .debited)
            let result = try #require(harness.bank.resultBodies(reference).first)
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
            #expect(fields["responseCode"] as? String == "0000" && fields["transactionStatus"] as? String == "SUCCESS")
            // Demo terms for product 110: client share 10 %, vendor share 5 %.
            #expect(fields["reserveAmount"] as? Int == 10_000 && fields["clientShareAmount"] as? Int == 1_000)
            #expect(fields["settlementAmount"] as? Int == 9_000 && fields["vendorShareAmount"] as? Int == 500)
            #expect(fields["token"] as? String == "")
            // Ledger: the client owes 9000, the float paid the vendor 9500, revenue −500.
            let balances = try await harness.db.query("""
                SELECT code, posted_debits - posted_credits AS net, pending_debits + pending_credits AS pending
                FROM ledger.accounts WHERE code IN ('client:200:receivable:ZAR', 'revenue:ZAR') ORDER BY code
                """).map { (try $0.decode(String.self, "code"), try $0.decode(Int64.self, "net"), try $0.decode(Int64.self, "pending")) }
            #expect(balances.map(\.1) == [9_000, 500] && balances.map(\.2) == [0, 0])
            // A repeat gets the original answer and does nothing else.
            let history = try await harness.db.query("""
                SELECT string_agg(state, ',' ORDER BY sequence) AS states FROM purchases.state_changes
                WHERE raas_txn_ref = \(UUID(uuidString: reference)!)
                """).single().decode(String.self, "states")
            // The process that recorded the bank's answer started the first vend attempt with it (no claim).
            #expect(history == "reserving,vending,success")
            // The workers count what they saw (API.md §9).
            let metrics = try await harness.http.get(url: harness.service + "/metrics").get()
            let text = metrics.body.map { String(buffer: $0) } ?? ""
            #expect(text.contains(#"transact_vend_outcomes_total{outcome="success"}"#), "\(text)")
            #expect(text.contains(#"transact_result_deliveries_total{acknowledged="true"}"#))
            #expect(text.contains(#"transact_outbound_call_duration_seconds_count{counterparty="bank",operation="reserveFunds",outcome="reserved"}"#))
            #expect(text.contains(#"transact_outbound_call_duration_seconds_count{counterparty="vendor",operation="vend",outcome="success"}"#))
            #expect(text.contains(#"transact_queue_oldest_due_age_seconds{queue="deliver_result"}"#))
            // Every metric the alert rules and the dashboard read is one this service serves (the replica's lag
            // only with a lookup standby).
            let observability = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/observability")
            let rules = try String(contentsOf: observability.appendingPathComponent("alerts.yml"), encoding: .utf8)
            let dashboard = try String(contentsOf: observability.appendingPathComponent("grafana/transact-dashboard.json"), encoding: .utf8)
            let named = Set((rules + dashboard).matches(of: /\b(transact_[a-z_]+|hb_requests|http_server_request_duration)\b/).map {
                String($0.output.1).replacing(/_(bucket|count|sum)$/, with: "")
            })
            #expect(named.count > 8)
            for metric in named.subtracting(["transact_replica_lag_bytes"]) {
                #expect(text.contains("\n\(metric)") || text.contains("\n\(metric)_"), "\(metric) is not served")
            }
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    @Test("a bank decline is answered with its code; nothing was reserved, so no result is sent and the hold is voided")
    func declined() async throws {
        try await PurchaseHarness.with { harness in
            for code in ["2010", "2020", "2030", "2040", "2050", "2070", "2080", "2090"] {
                let reply = try await harness.reserveAndTransact(["sourceIdentifier": "2783123" + code])
                #expect(reply.status == 200 && reply.code == code, "\(code): \(reply.text)")
                let reference = try #require(reply.raasTxnRef)
                let state = try await harness.transaction(reference)
                #expect(state.state == "reserve_failed" && state.delivery == nil)
                #expect(harness.vendor.references(reference).isEmpty)
            }
            #expect(try await harness.ledgerViolations() == [])
            let voids = try await harness.db.query("SELECT count(*) AS n FROM ledger.transfers WHERE kind = 'void'").single()
            #expect(try voids.decode(Int.self, "n") == 8)
        }
    }

    @Test("no answer within the timeout, or an answer that does not match the request, is 2060; a failure result still goes to the bank")
    func unanswered() async throws {
        try await PurchaseHarness.with { harness in
            for source in ["27831232060", "27831237777"] {
                let reply = try await harness.reserveAndTransact(["sourceIdentifier": source])
                #expect(reply.status == 200 && reply.code == "2060" && reply.json["responseMessage"] == "Internal timeout", "\(reply.text)")
                let reference = try #require(reply.raasTxnRef)
                let done = try await harness.waitFor(reference)
                #expect(done.state == "failed" && done.resultCode == "2060" && done.delivery == "acknowledged")
                let result = try #require(harness.bank.resultBodies(reference).first.map(PurchaseHarness.fields))
                #expect(result["transactionStatus"] as? String == "FAILED" && result["responseCode"] as? String == "2060")
                #expect(harness.vendor.references(reference).isEmpty)
            }
            // The unanswered reservation was looked up at the bank (API.md §4.3), for support.
            let lookups = try await harness.db.query("SELECT response_code FROM purchases.reservation_lookups")
            #expect(lookups.count >= 1)
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    @Test("each simulated vendor behaviour: decline 2213, 2201 then success, 2239 until attempts run out, 2240 settled by a status poll; tokens")
    func vendorBehaviours() async throws {
        try await PurchaseHarness.with { harness in
            let decline = try #require(try await harness.reserveAndTransact(["targetIdentifier": "27831232213"]).raasTxnRef)
            let retried = try #require(try await harness.reserveAndTransact(["targetIdentifier": "27831232201"]).raasTxnRef)
            let timeout = try #require(try await harness.reserveAndTransact(["targetIdentifier": "27831232239"]).raasTxnRef)
            let unknown = try #require(try await harness.reserveAndTransact(["targetIdentifier": "27831232240"]).raasTxnRef)
            let electricity = try #require(try await harness.reserveAndTransact([
                "productId": 719, "purchaseAmount": 10_000, "feeAmount": 200, "targetIdentifier": "4001234567"]).raasTxnRef)
            let voucher = try #require(try await harness.reserveAndTransact([
                "productId": 571, "purchaseAmount": 7_990, "feeAmount": 80]).raasTxnRef)

            let declined = try await harness.waitFor(decline)
            #expect(declined.state == "failed" && declined.resultCode == "2213")
            #expect(harness.vendor.references(decline) == [decline + "-0000"])
            #expect(harness.bank.simulated.bank.hold(for: decline)?.state == .released)

            let second = try await harness.waitFor(retried)
            #expect(second.state == "success")
            #expect(harness.vendor.references(retried) == [retried + "-0000", retried + "-0001"])

            let timedOut = try await harness.waitFor(timeout)
            #expect(timedOut.state == "failed" && timedOut.resultCode == "2239")
            #expect(harness.vendor.references(timeout) == (0..<3).map { timeout + "-000\($0)" })
            // Each timed-out attempt was asked about before the next was made (it may have dispensed).
            let asked = try await harness.db.query("""
                SELECT count(*) AS n FROM purchases.calls WHERE raas_txn_ref = \(UUID(uuidString: timeout)!) AND operation = 'vendStatus'
                """).single().decode(Int.self, "n")
            #expect(asked == 3)

            let settled = try await harness.waitFor(unknown)
            #expect(settled.state == "success" && settled.vendAttempts == 1)
            #expect(harness.vendor.references(unknown) == [unknown + "-0000"])

            let meter = try await harness.waitFor(electricity)
            #expect(meter.state == "success")
            #expect(meter.token?.count == 20 && meter.token?.allSatisfy(\.isNumber) == true)
            #expect(harness.bank.resultBodies(electricity).first.map(PurchaseHarness.fields)?["token"] as? String == meter.token)
            let pin = try await harness.waitFor(voucher)
            #expect(pin.state == "success" && pin.token?.count == 16)
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    @Test("a vend is given up before its lease ends, however long the vendor's timeout: no worker that takes the job over can find it in flight; the attempt is asked about and dispenses once")
    func vendEndsWithinItsLease() async throws {
        try await PurchaseHarness.with { harness in
            // The vendor dispenses at once but holds its answer; its timeout (60 s) outlasts the test's lease (5 s).
            try await harness.db.query("UPDATE catalogue.vendors SET vend_timeout_ms = 60000")
            harness.vendor.holdAnswers.withLock { $0 = true }
            let reference = try #require(try await harness.reserveAndTransact([:]).raasTxnRef)
            let vend = try await Self.firstCall(harness, reference, operation: "vend", seconds: 15)
            harness.vendor.holdAnswers.withLock { $0 = false }
            // Recorded under the lease that made it (a call outliving its lease could not be), cut at its margin.
            let (outcome, latencyMs) = try #require(vend)
            #expect(outcome.hasPrefix("uncertain 2239") && latencyMs < 5_000, "\(outcome) after \(latencyMs) ms")
            let done = try await harness.waitFor(reference)
            #expect(done.state == "success" && done.delivery == "acknowledged")
            #expect(harness.vendor.references(reference) == [reference + "-0000"])
            #expect(try await harness.ledgerViolations() == [])
        }
    }

    /// The outcome and latency of the first call of `operation` recorded for the transaction (waiting at most
    /// `seconds`).
    static func firstCall(
        _ harness: PurchaseHarness, _ reference: String, operation: String, seconds: Int
    ) async throws -> (outcome: String, latencyMs: Int)? {
        for _ in 0..<(seconds * 20) {
            let rows = try await harness.db.query("""
                SELECT outcome, latency_ms FROM purchases.calls
                WHERE raas_txn_ref = \(UUID(uuidString: reference)!) AND operation = \(operation) ORDER BY called_at LIMIT 1
                """)
            if let row = rows.first { return (try row.decode(String.self, "outcome"), try row.decode(Int.self, "latency_ms")) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test("50 concurrent identical requests: one transaction, exactly one reserveFunds call, the others 409 in progress or the replay")
    func concurrentDuplicates() async throws {
        try await PurchaseHarness.with { harness in
            let body = PurchaseHarness.body(["clientTxnRef": "same-ref"])
            let raw = try JSONSerialization.data(withJSONObject: body)
            let replies = try await withThrowingTaskGroup(of: PurchaseHarness.Reply.self) { group in
                for _ in 0..<50 { group.addTask { try await harness.post("/reserveAndTransact/4.0", raw: raw) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let references = Set(replies.compactMap(\.raasTxnRef))
            #expect(references.count == 1)
            let reference = try #require(references.first)
            for reply in replies {
                let accepted = reply.status == 200 && reply.code == "0000"
                let inProgress = reply.status == 409 && reply.code == "2604"
                    && reply.json["responseMessage"] == "Transaction with this clientTxnRef is in progress"
                #expect(accepted || inProgress, "\(reply.status) \(reply.text)")
            }
            #expect(harness.bank.reserveCount(reference) == 1)
            #expect(try await harness.db.query("SELECT count(*) AS n FROM purchases.transactions").single().decode(Int.self, "n") == 1)
            try await harness.waitFor(reference)
            // Afterwards a repeat is the original answer; different content under the reference is a duplicate.
            let repeated = try await harness.post("/reserveAndTransact/4.0", body)
            #expect(repeated.status == 200 && repeated.code == "0000" && repeated.raasTxnRef == reference)
            var changed = body
            changed["purchaseAmount"] = 20_000
            let conflicting = try await harness.post("/reserveAndTransact/4.0", changed)
            #expect(conflicting.status == 409 && conflicting.code == "2604")
            #expect(conflicting.json["responseMessage"] == "Duplicate clientTxnRef")
            #expect(harness.bank.reserveCount(reference) == 1)
            #expect(harness.vendor.references(reference).count == 1)
        }
    }

    @Test("a result endpoint that fails 3 times and then accepts gets the same body each time and is acknowledged once")
    func resultRetries() async throws {
        try await PurchaseHarness.with { harness in
            harness.bank.refuseResults.withLock { $0 = 3 }
            let reference = try #require(try await harness.reserveAndTransact().raasTxnRef)
            let done = try await harness.waitFor(reference, seconds: 30)
            #expect(done.delivery == "acknowledged")
            let bodies = harness.bank.resultBodies(reference)
            #expect(bodies.count == 4)
            #expect(Set(bodies).count == 1)
            let attempts = try await harness.db.query("""
                SELECT attempts FROM purchases.result_deliveries WHERE raas_txn_ref = \(UUID(uuidString: reference)!)
                """).single().decode(Int.self, "attempts")
            #expect(attempts == 4)
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(harness.bank.resultBodies(reference).count == 4)
        }
    }

    @Test("a result never acknowledged is given up after the funding source's maxRetries and listed for support; the ledger stays sound")
    func resultGivenUp() async throws {
        try await PurchaseHarness.with { harness in
            try await harness.db.query("UPDATE catalogue.funding_sources SET max_retries = 2")
            harness.bank.refuseResults.withLock { $0 = 1_000 }
            let reference = try #require(try await harness.reserveAndTransact().raasTxnRef)
            let done = try await harness.waitFor(reference, seconds: 20) { $0.delivery == "gave_up" }
            #expect(done.state == "success" && done.delivery == "gave_up")
            // The first attempt and maxRetries retries, each with the same body.
            let bodies = harness.bank.resultBodies(reference)
            #expect(bodies.count == 3 && Set(bodies).count == 1)
            // Given up: its delivery job stays, never due, for support.
            let jobs = try await harness.db.query("SELECT kind, due_at IS NULL AS never FROM purchases.jobs")
                .map { "\(try $0.decode(String.self, "kind")) \(try $0.decode(Bool.self, "never"))" }
            #expect(jobs == ["deliver_result true"])
            #expect(try await harness.ledgerViolations() == [])
        }
    }
}
