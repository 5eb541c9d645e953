import Foundation
import Postgres
import TestSupport
import Testing
import Purchases
import TransactCore
import BankInterfaces
import Vendors
import Runtime
import Logging
import Synchronization

@Suite("Opening a purchase: the client reference claimed, the purchase stored as decided (API.md §3.3)")
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

    /// Product 110 of vendor 100 with a client share of 10 %, as the demo seed has it.
    func accepted(_ request: PurchaseRequest) throws -> PurchaseDecision {
        let product = PurchaseContext.Product(
            productId: 110, productTypeId: 3, productTypeName: "Airtime", vendorId: 100, currencyCode: "ZAR",
            pricing: .range(min: 500, max: 100_000, increment: 100), targetIdentifierKind: "msisdn", supportsToken: false,
            active: true, channels: nil, vendorHasFloat: true)
        return decision(product, .accept(try FinancialBreakdown(
            purchaseAmount: request.purchaseAmount, terms: FeeSchedule(clientShareBasisPoints: 1_000, vendorShareBasisPoints: 500))))
    }

    func decision(_ product: PurchaseContext.Product, _ verdict: PurchaseDecision.Verdict) -> PurchaseDecision {
        PurchaseDecision(product: product, fundingSourceId: 3, currencyCode: "ZAR", feeAmount: 0, verdict: verdict)
    }

    /// Opens an accepted Reserve and Transact purchase: its reference, or nil when it was not created.
    func openAccepted(_ store: PurchaseStore, _ overrides: [String: any Sendable] = [:]) async throws -> RaasTxnRef? {
        let purchase = try request(overrides)
        guard case .reserve(let reference, _) = try await store.open(purchase, decision: try accepted(purchase)) else { return nil }
        return reference
    }

    /// Vendor 100's float with `balance` in it.
    func fundFloat(_ db: PostgresClient, balance: Int64) async throws {
        try await db.query("SELECT ledger.create_account('vendor:100:float:ZAR', 'ZAR', 'asset', false, true)")
        try await db.query("SELECT ledger.create_account('equity:opening-balances:ZAR', 'ZAR', 'equity', false, false)")
        try await db.query("""
            SELECT ledger.create_transfer(gen_random_uuid(), 'single', ARRAY['vendor:100:float:ZAR', 'equity:opening-balances:ZAR'],
                                          ARRAY[\(balance), \(-balance)]::bigint[])
            """)
    }

    @Test("50 concurrent identical requests create exactly one transaction; the others see it in progress")
    func concurrentIdenticalOpens() async throws {
        try await TestDatabase.with(poolSize: 8) { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            let store = PurchaseStore(database: db)
            let purchase = try request()
            let decision = try accepted(purchase)
            let openings = try await withThrowingTaskGroup(of: PurchaseStore.Opening.self) { group in
                for _ in 0..<50 { group.addTask { try await store.open(purchase, decision: decision) } }
                return try await group.reduce(into: [PurchaseStore.Opening]()) { $0.append($1) }
            }
            let created = openings.compactMap { if case .reserve(let reference, _) = $0 { reference } else { nil } }
            #expect(created.count == 1)
            let winner = try #require(created.first)
            #expect(openings.filter { $0 == .settled(.inProgress(winner)) }.count == 49)
            #expect(try await db.query("SELECT count(*) AS n FROM purchases.transactions").single().decode(Int.self, "n") == 1)
            #expect(try await db.query("SELECT count(*) AS n FROM ledger.transfers").single().decode(Int.self, "n") == 2)
            let history = try await db.query("SELECT state FROM purchases.state_changes WHERE raas_txn_ref = \(winner.uuid)")
            #expect(try history.map { try $0.decode(String.self, "state") } == ["reserving"])

            // Different content under the same reference is a duplicate; the auth code does not count as content.
            #expect(try await store.open(try request(["purchaseAmount": 10_100]), decision: decision) == .settled(.duplicate))
            #expect(try await store.open(try request(["authCode": "9999"]), decision: decision) == .settled(.inProgress(winner)))
            // Once answered, a repeat gets the same answer.
            let answer = try await store.recordReservation(winner, .reserved(reserveFundsTxnRef: "BANK-1"), latencyMs: 3)
            #expect(answer == .init(code: "0000", message: "Processing request (funds reserved)"))
            #expect(try await store.open(purchase, decision: decision) == .settled(.replay(winner, answer)))
            // A second answer for the same reservation changes nothing.
            #expect(try await store.recordReservation(winner, .declined(code: "2010", message: "Insufficient funds"), latencyMs: 1) == answer)
            // Another client's identical reference is its own.
            guard case .reserve = try await store.open(try request(["clientId": 201]), decision: decision) else {
                Issue.record("another client's reference was not claimed")
                return
            }
        }
    }

    @Test("opens batched together: one reference claimed once however many ask at once; a float covers those it can, the rest fail 2221")
    func opensByTheBatch() async throws {
        try await TestDatabase.with(poolSize: 8) { db, _ in
            // 10000 at 5 % vendor share owes the vendor 9500: a float of 30000 covers three purchases.
            try await fundFloat(db, balance: 30_000)
            let store = PurchaseStore(database: db, steps: PurchaseSteps(database: db, batched: true))
            let same = try request(["clientTxnRef": "same"])
            let distinct = try (0..<5).map { try request(["clientTxnRef": "distinct-\($0)"]) }
            let requests = Array(repeating: same, count: 10) + distinct
            let openings = try await withThrowingTaskGroup(of: (String, PurchaseStore.Opening).self) { group in
                for purchase in requests {
                    group.addTask { (purchase.clientTxnRef, try await store.open(purchase, decision: try self.accepted(purchase))) }
                }
                return try await group.reduce(into: [(String, PurchaseStore.Opening)]()) { $0.append($1) }
            }
            func reference(_ opening: PurchaseStore.Opening) -> RaasTxnRef? {
                switch opening {
                case .reserve(let reference, _), .settled(.answered(let reference, _)), .settled(.replay(let reference, _)),
                     .settled(.inProgress(let reference)): reference
                case .settled(.duplicate): nil
                }
            }
            // Every request for "same" names the one purchase that claimed it; one of them created it.
            let sameOpenings = openings.filter { $0.0 == "same" }.map(\.1)
            #expect(Set(sameOpenings.map(reference)).count == 1 && !sameOpenings.contains(.settled(.duplicate)))
            #expect(sameOpenings.filter { if case .reserve = $0 { true } else if case .settled(.answered) = $0 { true } else { false } }.count == 1)
            let counts = try await db.query("""
                SELECT count(*) AS purchases, count(*) FILTER (WHERE response_code = '2221') AS refused,
                       (SELECT count(*) FROM ledger.transfers WHERE kind = 'pending') AS held,
                       (SELECT count(*) FROM purchases.jobs) AS jobs
                FROM purchases.transactions
                """).single()
            #expect(try counts.decode(Int.self, "purchases") == 6 && counts.decode(Int.self, "refused") == 3)
            #expect(try counts.decode(Int.self, "held") == 3 && counts.decode(Int.self, "jobs") == 3)
            #expect(try await store.invariantViolations() == [])
        }
    }

    @Test("a rejection is stored as FAILED with its code and replayed; a float that cannot cover the purchase fails it with 2221")
    func rejectionsAndFloat() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 9_000)
            let store = PurchaseStore(database: db)
            let rejected = try request(["clientTxnRef": "rejected"])
            let rejection = PurchaseDecision(
                product: try accepted(rejected).product, fundingSourceId: 3, currencyCode: "ZAR", feeAmount: 0,
                verdict: .reject(Answer.blacklisted.coded))
            guard case .settled(.answered(let reference, let answer)) = try await store.open(rejected, decision: rejection) else {
                Issue.record("not created")
                return
            }
            #expect(answer == .init(code: "2070", message: "sourceIdentifier blacklisted"))
            #expect(try await store.open(rejected, decision: rejection) == .settled(.replay(reference, answer)))

            // 10000 at 5 % vendor share owes the vendor 9500 from a float of 9000.
            let tooBig = try request(["clientTxnRef": "too-big"])
            guard case .settled(.answered(_, let floatAnswer)) = try await store.open(tooBig, decision: try accepted(tooBig)) else {
                Issue.record("not refused")
                return
            }
            #expect(floatAnswer == .init(code: "2221", message: "Insufficient vendor float"))
            #expect(try await db.query("SELECT count(*) AS n FROM ledger.transfers WHERE kind = 'pending'").single().decode(Int.self, "n") == 0)
            #expect(try await store.invariantViolations() == [])
        }
    }

    @Test("a final state never changes, and the state history is append-only")
    func finalStates() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            let reference = try #require(try await openAccepted(PurchaseStore(database: db)), "not created")
            for (state, cause) in [("reserved", "bank reserved"), ("vending", "vend 0"), ("success", "dispensed")] {
                try await db.query("""
                    UPDATE purchases.transactions
                    SET state = \(state), state_cause = \(cause), final_at = CASE WHEN purchases.is_final(\(state)) THEN now() END
                    WHERE raas_txn_ref = \(reference.uuid)
                    """)
            }
            await #expect {
                try await db.query("UPDATE purchases.transactions SET state = 'failed' WHERE raas_txn_ref = \(reference.uuid)")
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU001" }
            let states = try await db.query("""
                SELECT state FROM purchases.state_changes WHERE raas_txn_ref = \(reference.uuid) ORDER BY sequence
                """).map { try $0.decode(String.self, "state") }
            #expect(states == ["reserving", "reserved", "vending", "success"])
            await #expect {
                try await db.query("DELETE FROM purchases.state_changes")
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU002" }
            // Only the moves of purchases.transitions are made: reserving never jumps to success.
            let second = try #require(try await openAccepted(PurchaseStore(database: db), ["clientTxnRef": "other"]), "not created")
            await #expect {
                try await db.query("UPDATE purchases.transactions SET state = 'success' WHERE raas_txn_ref = \(second.uuid)")
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU003" }
            #expect(try await db.query("SELECT purchases.is_final('success') AND purchases.is_final('reserve_failed') AND NOT purchases.is_final('vending') AS ok")
                .single().decode(Bool.self, "ok"))
        }
    }

    @Test("one statement changing several purchases: each change numbered after its own history, one refused move refuses the statement")
    func changesByStatement() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            let store = PurchaseStore(database: db)
            let first = try #require(try await openAccepted(store, ["clientTxnRef": "one"]), "not created")
            let second = try #require(try await openAccepted(store, ["clientTxnRef": "two"]), "not created")
            try await db.query("UPDATE purchases.transactions SET state = 'reserved', state_cause = 'ahead' WHERE raas_txn_ref = \(first.uuid)")
            func history() async throws -> [String] {
                try await db.query("""
                    SELECT c.client_txn_ref || ':' || s.sequence || ':' || s.state || ':' || s.cause AS entry
                    FROM purchases.state_changes s JOIN purchases.transactions c USING (raas_txn_ref)
                    ORDER BY c.client_txn_ref, s.sequence
                    """).map { try $0.decode(String.self, "entry") }
            }
            // One statement moves both on, each from where it stands; one that leaves the states as they were records nothing.
            let both = [first.value, second.value]
            try await db.query("""
                UPDATE purchases.transactions
                SET state = CASE state WHEN 'reserved' THEN 'vending' ELSE 'reserved' END, state_cause = 'together'
                WHERE raas_txn_ref = ANY(\(both)::uuid[])
                """)
            try await db.query("UPDATE purchases.transactions SET state_cause = 'no change' WHERE raas_txn_ref = ANY(\(both)::uuid[])")
            let expected = [
                "one:1:reserving:accepted; asking the bank to reserve the funds", "one:2:reserved:ahead", "one:3:vending:together",
                "two:1:reserving:accepted; asking the bank to reserve the funds", "two:2:reserved:together",
            ]
            #expect(try await history() == expected)
            // reserved → vending is listed, vending → reserved is not: the whole statement is refused.
            await #expect {
                try await db.query("""
                    UPDATE purchases.transactions SET state = CASE state WHEN 'reserved' THEN 'vending' ELSE 'reserved' END
                    WHERE raas_txn_ref = ANY(\(both)::uuid[])
                    """)
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU003" }
            #expect(try await history() == expected)
            #expect(try await db.query("SELECT string_agg(state, ',' ORDER BY client_txn_ref) AS s FROM purchases.transactions")
                .single().decode(String.self, "s") == "vending,reserved")
        }
    }

    @Test("a purchase row's rules: a column's by its domain, those across columns by the state-change trigger (23514, named)")
    func rowRules() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            let reference = try #require(try await openAccepted(PurchaseStore(database: db)), "not created")
            func refused(_ change: String, constraint: String?) async {
                await #expect {
                    try await db.query(PostgresQuery(
                        sql: "UPDATE purchases.transactions SET \(change) WHERE raas_txn_ref = $1", bindings: [.init(reference.uuid)]))
                } throws: { error in
                    let server = (error as? PostgresError)?.serverError
                    return server?.sqlState == .checkViolation && (constraint == nil || server?.constraintName == constraint)
                }
            }
            await refused("state_cause = repeat('x', 501)", constraint: nil)
            await refused("response_code = '12a4'", constraint: nil)
            await refused("state = 'bogus'", constraint: nil)
            await refused("state = 'reserved', reserve_amount = NULL", constraint: "accepted_has_breakdown")
            await refused("state = 'reserved', result_recipient = 'client'", constraint: "result_only_when_final")
            await refused("state = 'reserved', final_at = now()", constraint: "final_has_time")
            let state = try await db.query("SELECT state FROM purchases.transactions WHERE raas_txn_ref = \(reference.uuid)")
                .single().decode(String.self, "state")
            #expect(state == "reserving")
            #expect(try await db.query("SELECT count(*) AS n FROM purchases.invariant_violations() v").single().decode(Int.self, "n") == 0)
        }
    }

    @Test("a vend that makes the purchase final hands its worker the result's delivery, leased; else a claim takes it")
    func deliveryHandedOver() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            let store = PurchaseStore(database: db)
            let policy = VendPolicy(retryDelayMs: 1_000, maxRetryDelayMs: 60_000, maxStatusPolls: 3, statusPollDelayMs: 1_000)
            var handed: [RaasTxnRef: PurchaseJob?] = [:]
            for (clientTxnRef, leaseSeconds) in [("handed", 30), ("claimed", 0)] {
                let reference = try #require(try await openAccepted(store, ["clientTxnRef": clientTxnRef]), "not created")
                _ = try await store.recordReservation(reference, .reserved(reserveFundsTxnRef: "bank-\(clientTxnRef)"), latencyMs: 3)
                let vend = try #require(try await store.claimJobs([.vend], limit: 10, leaseSeconds: 30).first)
                #expect(vend.raasTxnRef == reference)
                guard case .recorded(let delivery) = try await store.recordVend(
                    vend, outcome: .success(token: nil), latencyMs: 4, policy: policy, leaseSeconds: leaseSeconds)
                else {
                    Issue.record("the vend's lease was lost")
                    return
                }
                handed[reference] = delivery
            }
            let (first, second) = (try #require(handed.first { $0.value != nil }), try #require(handed.first { $0.value == nil }))
            // The handed delivery carries the stored bytes, under a lease of its own that no claim can take.
            let delivery = try #require(first.value)
            #expect(delivery.kind == .deliverResult && delivery.raasTxnRef == first.key)
            let stored = try await db.query("SELECT body FROM purchases.result_bodies WHERE raas_txn_ref = \(first.key.uuid)")
                .single().decode(String.self, "body")
            #expect(delivery.delivery?.body == Array(stored.utf8) && delivery.delivery?.recipient == .fundingSource)
            let claimed = try await store.claimJobs([.deliverResult], limit: 10, leaseSeconds: 30)
            #expect(claimed.map(\.raasTxnRef) == [second.key])
            try await store.recordDelivery(delivery, acknowledged: true, detail: "HTTP 200", latencyMs: 2)
            #expect(try await db.query("SELECT status FROM purchases.result_deliveries WHERE raas_txn_ref = \(first.key.uuid)")
                .single().decode(String.self, "status") == "acknowledged")
            #expect(try await store.invariantViolations() == [])
        }
    }

    @Test("reserved funds handed to this process's workers start the first vend attempt at once, leased: no claim takes it")
    func vendHandedOver() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            let store = PurchaseStore(database: db)
            let handoff = JobHandoff<PurchaseJob>()
            let taken = Mutex<[PurchaseJob]>([])
            let loop = JobLoop<PurchaseJob>(
                name: "purchase work", channel: "purchase_work", listener: nil, pollInterval: .seconds(60), maxConcurrent: 1,
                logger: Logger(label: "test"), handoff: handoff, claim: { _ in [] },
                process: { job in taken.withLock { $0.append(job) } })
            let running = Task { await loop.run() }
            defer { running.cancel() }
            let reference = try #require(try await openAccepted(store), "not created")
            var answer: CodedMessage?
            // The loop opens its slots once it runs; until then the answer leaves the vend to a claim (not here).
            for _ in 0..<500 where taken.withLock({ $0.isEmpty }) {
                if answer == nil, await handoff.handing({ (slotHeld: Bool) in (slotHeld, nil as PurchaseJob?) }) {
                    answer = try await store.recordReservation(
                        reference, .reserved(reserveFundsTxnRef: "BANK-9"), latencyMs: 3, vendHandoff: handoff, leaseSeconds: 30)
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(answer == .init(code: "0000", message: "Processing request (funds reserved)"))
            let vend = try #require(taken.withLock { $0.first })
            #expect(vend.raasTxnRef == reference && vend.kind == .vend && vend.vendStep == .vend(attempt: 0))
            #expect(vend.transaction.vendorId == 100 && vend.transaction.vendAmount == 10_000)
            // The attempt is recorded as started with the answer, and its job is leased to the caller; it keeps the
            // deadline's due time (a claim takes it once that and the lease have passed), so the move changed no
            // indexed value of the job.
            let row = try await db.query("""
                SELECT t.state, t.vend_attempts, t.vend_attempt_open, j.lease_token, j.leased_until > now() AS leased,
                       j.due_at > now() + interval '30 seconds' AS due_at_deadline
                FROM purchases.transactions t JOIN purchases.jobs j USING (raas_txn_ref) WHERE t.raas_txn_ref = \(reference.uuid)
                """).single()
            #expect(try row.decode(String.self, "state") == "vending" && row.decode(Int.self, "vend_attempts") == 1)
            #expect(try row.decode(Bool.self, "vend_attempt_open") && row.decode(Bool.self, "leased"))
            #expect(try row.decode(UUID.self, "lease_token") == vend.leaseToken && row.decode(Bool.self, "due_at_deadline"))
            #expect(try await store.claimJobs([.vend], limit: 10, leaseSeconds: 30).isEmpty)
            let states = try await db.query("""
                SELECT state FROM purchases.state_changes WHERE raas_txn_ref = \(reference.uuid) ORDER BY sequence
                """).map { try $0.decode(String.self, "state") }
            #expect(states == ["reserving", "vending"])
            let policy = VendPolicy(retryDelayMs: 1_000, maxRetryDelayMs: 60_000, maxStatusPolls: 3, statusPollDelayMs: 1_000)
            guard case .recorded = try await store.recordVend(vend, outcome: .success(token: nil), latencyMs: 4, policy: policy, leaseSeconds: 0)
            else {
                Issue.record("the handed vend's lease was not honoured")
                return
            }
            #expect(try await store.invariantViolations() == [])
        }
    }

    @Test("a batch's vend outcomes and deliveries are recorded together, each as it would be alone; a lost lease records nothing")
    func stepsByTheBatch() async throws {
        try await TestDatabase.with { db, _ in
            try await fundFloat(db, balance: 1_000_000)
            try await db.query("UPDATE catalogue.vendors SET max_attempts = 3 WHERE vendor_id = 100")
            let store = PurchaseStore(database: db)
            let outcomes = ["success", "declined", "retryable", "uncertain", "unknown", "lost"]
            var references: [String: RaasTxnRef] = [:]
            for outcome in outcomes {
                let reference = try #require(try await openAccepted(store, ["clientTxnRef": outcome]), "not created")
                _ = try await store.recordReservation(reference, .reserved(reserveFundsTxnRef: "bank-\(outcome)"), latencyMs: 3)
                references[outcome] = reference
            }
            let vends = try await store.claimJobs([.vend], limit: 10, leaseSeconds: 30)
            #expect(vends.count == outcomes.count)
            func vendStep(_ outcome: String) throws -> String {
                let job = try #require(vends.first { $0.raasTxnRef == references[outcome] })
                let lease = outcome == "lost" ? UUID() : job.leaseToken
                return """
                    {"step": "vend", "raas_txn_ref": "\(job.raasTxnRef.uuid)", "lease_token": "\(lease)", "mode": "vend",
                     "attempt": 0, "outcome": "\(outcome == "lost" ? "success" : outcome)", "code": "2203", "message": "vendor says",
                     "latency_ms": 4, "retry_delay_ms": 60000, "max_retry_delay_ms": 600000, "max_polls": 3,
                     "poll_delay_ms": 60000, "lease_seconds": \(outcome == "success" ? 30 : 0)}
                    """
            }
            let answers = try await db.query("""
                SELECT item, result::text AS result FROM purchases.apply_steps(\("[" + (try outcomes.map(vendStep)).joined(separator: ",") + "]")::jsonb)
                ORDER BY item
                """).map { try JSONSerialization.jsonObject(with: Data($0.decode(String.self, "result").utf8)) as? [String: Any] }
            #expect(answers.count == outcomes.count)
            #expect(answers.map { $0?["recorded"] as? Bool } == [true, true, true, true, true, false])
            let delivery = try #require(answers[0]?["delivery"] as? [String: Any])
            #expect(delivery["recipient"] as? String == "funding_source" && delivery["lease_token"] is String)
            #expect(answers[1...4].allSatisfy { $0?["delivery"] is NSNull })

            // Each purchase as its outcome leaves it: states, the attempt open or closed, the job due again or not.
            let rows = try await db.query("""
                SELECT t.client_txn_ref, t.state, t.vend_attempt_open, t.status_polls, d.status AS result_status, j.kind,
                       j.lease_token IS NOT NULL AS leased, coalesce(j.due_at > now() + interval '30 seconds', false) AS later,
                       (SELECT count(*) FROM purchases.calls c WHERE c.raas_txn_ref = t.raas_txn_ref AND c.party = 'vendor') AS calls
                FROM purchases.transactions t LEFT JOIN purchases.jobs j USING (raas_txn_ref)
                LEFT JOIN purchases.result_deliveries d USING (raas_txn_ref) ORDER BY t.client_txn_ref
                """).map { row in
                    "\(try row.decode(String.self, "client_txn_ref")): \(try row.decode(String.self, "state")) open=\(try row.decode(Bool.self, "vend_attempt_open")) polls=\(try row.decode(Int.self, "status_polls")) result=\(try row.decode(String?.self, "result_status") ?? "-") job=\(try row.decode(String?.self, "kind") ?? "-") leased=\(try row.decode(Bool.self, "leased")) later=\(try row.decode(Bool.self, "later")) calls=\(try row.decode(Int.self, "calls"))"
                }
            #expect(rows == [
                "declined: failed open=false polls=0 result=pending job=deliver_result leased=false later=false calls=1",
                "lost: vending open=true polls=0 result=- job=vend leased=true later=false calls=0",
                "retryable: vending open=false polls=0 result=- job=vend leased=false later=true calls=1",
                "success: success open=false polls=0 result=pending job=deliver_result leased=true later=false calls=1",
                "uncertain: vending open=true polls=0 result=- job=vend leased=false later=true calls=1",
                "unknown: vend_pending open=true polls=0 result=- job=vend leased=false later=true calls=1",
            ])
            // The body is the stored one, built with the state and code the purchase ended in.
            let body = try await db.query("""
                SELECT b.body FROM purchases.result_bodies b JOIN purchases.transactions t USING (raas_txn_ref)
                WHERE t.client_txn_ref = 'declined'
                """).single().decode(String.self, "body")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(result["transactionStatus"] as? String == "FAILED" && result["responseCode"] as? String == "2203")

            // Deliveries together: one acknowledged, one refused, one under a lease that is not held.
            let declined = try #require(try await store.claimJobs([.deliverResult], limit: 10, leaseSeconds: 30).first)
            let deliveries = [
                (references["success"]!, delivery["lease_token"] as? String ?? "", true),
                (declined.raasTxnRef, declined.leaseToken.uuidString, false),
                (references["retryable"]!, UUID().uuidString, true),
            ].map { reference, lease, acknowledged in
                """
                {"step": "delivery", "raas_txn_ref": "\(reference.uuid)", "lease_token": "\(lease)", "acknowledged": \(acknowledged),
                 "outcome": "HTTP \(acknowledged ? 200 : 503)", "latency_ms": 2}
                """
            }
            let delivered = try await db.query("""
                SELECT result::text AS result FROM purchases.apply_steps(\("[" + deliveries.joined(separator: ",") + "]")::jsonb) ORDER BY item
                """).map { try $0.decode(String.self, "result") }
            #expect(delivered == ["true", "true", "false"])
            let results = try await db.query("""
                SELECT t.client_txn_ref, d.status AS result_status, d.attempts AS result_attempts, j.kind,
                       coalesce(j.due_at > now(), false) AS later
                FROM purchases.transactions t LEFT JOIN purchases.jobs j ON j.raas_txn_ref = t.raas_txn_ref AND j.kind = 'deliver_result'
                JOIN purchases.result_deliveries d ON d.raas_txn_ref = t.raas_txn_ref
                WHERE t.client_txn_ref IN ('success', 'declined') ORDER BY t.client_txn_ref
                """).map { row in
                    "\(try row.decode(String.self, "client_txn_ref")): \(try row.decode(String.self, "result_status")) \(try row.decode(Int.self, "result_attempts")) \(try row.decode(String?.self, "kind") ?? "-") later=\(try row.decode(Bool.self, "later"))"
                }
            #expect(results == ["declined: pending 1 deliver_result later=true", "success: acknowledged 1 - later=false"])
            #expect(try await store.invariantViolations() == [])

            // The bodies are written once; one gone (forged, triggers off) is reported.
            await #expect {
                try await db.query("UPDATE purchases.result_bodies SET body = '{}'")
            } throws: { ($0 as? PostgresError)?.sqlState?.code == "PU002" }
            try await db.withTransaction { session in
                _ = try await session.query("SET LOCAL session_replication_role = replica")
                _ = try await session.query("""
                    DELETE FROM purchases.result_bodies
                    WHERE raas_txn_ref = (SELECT raas_txn_ref FROM purchases.transactions WHERE client_txn_ref = 'declined')
                    """)
            }
            let problems = try await store.invariantViolations()
            #expect(problems.count == 1 && problems[0].hasSuffix(" has a result to deliver but no body"), "\(problems)")
        }
    }

    @Test("a vend's follow-up waits the first delay, doubling with each attempt, at most the cap")
    func vendRetryDelay() async throws {
        try await TestDatabase.with { db, _ in
            let delays = try await db.query("""
                SELECT array_agg(purchases.vend_retry_delay_ms(a, 1000, 60000) ORDER BY a)::text AS d
                FROM unnest(ARRAY[-1, 0, 1, 2, 5, 6, 40, 2147483647]) a
                """).single().decode(String.self, "d")
            #expect(delays == "{1000,1000,2000,4000,32000,60000,60000,60000}")
        }
    }

    @Test("a step that lacks a key its function needs is refused, naming the key, rather than read as NULL")
    func typedSeam() async throws {
        try await TestDatabase.with { db, _ in
            _ = await #expect {
                try await db.query("""
                    SELECT * FROM purchases.apply_steps('[{"step": "delivery", "raas_txn_ref": "6f1b1b44-0c3a-4b67-9d4e-3c1e9f0a8b21", "lease_token": "6f1b1b44-0c3a-4b67-9d4e-3c1e9f0a8b21", "acknowledged": true, "latncy_ms": 3, "outcome": "HTTP 200"}]')
                    """)
            } throws: { error in
                guard let server = (error as? PostgresError)?.serverError else { return false }
                return server.sqlState.code == "22023" && server.message.contains("latency_ms")
            }
        }
    }
}
