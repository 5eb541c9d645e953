import AsyncHTTPClient
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

/// `transact serve` as separate processes on one database: killed with SIGKILL mid-purchase and restarted, and
/// two at once. Every purchase completes exactly once: one reserveFunds, one successful vend, its result
/// delivered, and `transact verify` (with the bank simulator's record of holds) passes.
@Suite("Crash recovery and scale-out", .serialized)
struct ProcessRecoveryTests {
    /// A running `transact serve`.
    struct Server {
        let process: Process
        let log: URL
        let base: String

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func kill() async throws {
            Foundation.kill(process.processIdentifier, SIGKILL)
            for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        }

        func stop() async throws {
            process.terminate()
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
        }
    }

    static func environment(_ database: TestDatabase, workers: Bool = true) -> [String: String] {
        [
            "DATABASE_URL": database.connectionString, "TRANSACT_MASTER_KEY": String(repeating: "5a", count: 32),
            "TRANSACT_WORKERS_ENABLED": String(workers), "TRANSACT_WORKERS_POLL_INTERVAL_MS": "100",
            "TRANSACT_WORKERS_LEASE_SECONDS": "2", "TRANSACT_WORKERS_VEND_RETRY_DELAY_MS": "50",
            "TRANSACT_WORKERS_STATUS_POLL_DELAY_MS": "100", "TRANSACT_LOG_LEVEL": "warning",
            "TRANSACT_PURCHASES_RESERVATION_DEADLINE_GRACE_SECONDS": "1",
            // These stops are about what the workers leave behind, not about a load balancer: no drain period.
            "TRANSACT_HTTP_DRAIN_SECONDS": "0",
        ]
    }

    /// Every server a test started, killed (and its log removed) when the test ends however it ends.
    final class Launched: Sendable {
        let servers = Mutex<[(pid: Int32, log: URL)]>([])

        func add(_ process: Process, log: URL) {
            servers.withLock { $0.append((process.processIdentifier, log)) }
        }

        func killAll() {
            for server in servers.withLock({ $0 }) {
                Foundation.kill(server.pid, SIGKILL)
                try? FileManager.default.removeItem(at: server.log)
            }
        }
    }

    /// Starts `transact serve` on a random port and waits until it is ready; a port that turns out to be taken (the
    /// process exits) is replaced by another, a few times.
    static func serve(
        _ database: TestDatabase, workers: Bool = true, settings: [String: String] = [:], launched: Launched
    ) async throws -> Server {
        for _ in 0..<3 {
            let port = Int.random(in: 20_000...45_000)
            let (process, log) = try TransactProcess.start(
                ["serve", "--port", String(port)],
                environment: environment(database, workers: workers).merging(settings) { $1 })
            launched.add(process, log: log)
            let server = Server(process: process, log: log, base: "http://127.0.0.1:\(port)")
            for _ in 0..<600 where process.isRunning {
                if (try? await TransactProcess.http("GET", server.base + "/health/ready").status) == 200 { return server }
                try await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning {
                try await server.kill()
                Issue.record("transact serve did not become ready within 60 s: \(server.output)")
                throw CancellationError()
            }
        }
        Issue.record("transact serve exited three times before it was ready")
        throw CancellationError()
    }

    static func references(_ db: PostgresClient) async throws -> [String] {
        try await db.query("SELECT raas_txn_ref::text AS r FROM purchases.transactions ORDER BY created_at").map {
            try $0.decode(String.self, "r")
        }
    }

    /// The calls made for a transaction, oldest first: what a failed expectation needs to be understood.
    static func calls(_ db: PostgresClient, _ reference: String) async throws -> [String] {
        try await db.query("""
            SELECT operation || ' ' || coalesce(reference, '') || ': ' || outcome AS call FROM purchases.calls
            WHERE raas_txn_ref = \(reference)::uuid ORDER BY called_at
            """).map { try $0.decode(String.self, "call") }
    }

    /// Waits until every transaction's result is acknowledged (at most `seconds`).
    static func waitUntilAllDelivered(_ db: PostgresClient, count: Int, seconds: Int = 60) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let delivered = try await db.query("""
                SELECT count(*) AS n FROM purchases.result_deliveries WHERE status = 'acknowledged'
                """).single().decode(Int.self, "n")
            if delivered == count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Exactly once each: reserveFunds, a successful vend (one attempt here), the result delivered; the invariants
    /// and the bank's holds agree.
    static func expectCompletedOnce(_ simulators: PurchaseHarness.Simulators, _ references: [String], resultDeliveries: Int? = 1) async throws {
        for reference in references {
            #expect(simulators.bank.reserveCount(reference) == 1, "\(reference)")
            if simulators.vendor.references(reference) != [reference + "-0000"] {
                Issue.record("\(reference) reached the vendor as \(simulators.vendor.references(reference)); its calls: \(try await calls(simulators.db, reference))")
            }
            let bodies = simulators.bank.resultBodies(reference)
            if let resultDeliveries { #expect(bodies.count == resultDeliveries, "\(reference)") }
            #expect(Set(bodies).count == 1, "\(reference): every delivery carries the same body")
            #expect(simulators.bank.simulated.bank.hold(for: reference)?.state == .debited, "\(reference)")
        }
        let states = try await simulators.db.query("""
            SELECT t.state, d.status FROM purchases.transactions t LEFT JOIN purchases.result_deliveries d USING (raas_txn_ref)
            """).map { try "\($0.decode(String.self, "state"))/\($0.decode(String.self, "status"))" }
        #expect(Set(states) == ["success/acknowledged"] && states.count == references.count)
        let verify = try await TransactProcess.run(
            ["verify", "--bank-simulator", simulators.bankURL], environment: environment(simulators.database))
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("OK: every ledger, purchase, notification and Chat 2 Pay invariant holds (and \(references.count) bank holds agree)"), "\(verify.output)")
    }

    static func purchase(_ simulators: PurchaseHarness.Simulators, server: Server, token: String, count: Int) async throws -> [String] {
        let harness = simulators.harness(service: server.base, token: token)
        var references: [String] = []
        for _ in 0..<count {
            let reply = try await harness.reserveAndTransact()
            #expect(reply.code == "0000", "\(reply.text)")
            references.append(try #require(reply.raasTxnRef))
        }
        return references
    }

    @Test("SIGKILL between reservation and vend, and again while vends are in flight: after restart each purchase completes exactly once")
    func killBeforeAndDuringVend() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        try await PurchaseHarness.withSimulators { simulators in
            let launched = Launched()
            defer { launched.killAll() }
            // Reserved, vend not started: a process without workers, killed.
            let first = try await Self.serve(simulators.database, workers: false, launched: launched)
            let token = try await PurchaseHarness.issueToken(http: simulators.http, service: first.base)
            let waiting = try await Self.purchase(simulators, server: first, token: token, count: 5)
            try await first.kill()
            let reserved = try await simulators.db.query("SELECT count(*) AS n FROM purchases.transactions WHERE state = 'reserved'")
            #expect(try reserved.single().decode(Int.self, "n") == 5)

            // Vends in flight: the vendor dispenses but answers late; the process dies before hearing it. The vend
            // timeout outlasts the wait, and the lease (a vend is given up before its lease ends) is long enough
            // that however slow the machine, every vend is still open at the kill.
            simulators.vendor.holdAnswers.withLock { $0 = true }
            try await simulators.db.query("UPDATE catalogue.vendors SET vend_timeout_ms = 60000")
            let second = try await Self.serve(
                simulators.database, settings: ["TRANSACT_WORKERS_LEASE_SECONDS": "10"], launched: launched)
            for _ in 0..<600 where simulators.vendor.vends.withLock({ $0.count }) < 5 { try await Task.sleep(for: .milliseconds(50)) }
            let inFlight = try await Self.purchase(simulators, server: second, token: token, count: 3)
            for _ in 0..<600 where simulators.vendor.vends.withLock({ $0.count }) < 8 { try await Task.sleep(for: .milliseconds(50)) }
            try await second.kill()
            let states = try await simulators.db.query("SELECT state || ': ' || state_cause AS s FROM purchases.transactions")
                .map { try $0.decode(String.self, "s") }
            #expect(states.filter { $0.hasPrefix("vending:") }.count == 8, "\(states)")

            // Restarted: the open attempts are asked about (status query), never vended again.
            simulators.vendor.holdAnswers.withLock { $0 = false }
            let third = try await Self.serve(simulators.database, launched: launched)
            try await Self.waitUntilAllDelivered(simulators.db, count: 8)
            try await third.stop()
            try await Self.expectCompletedOnce(simulators, waiting + inFlight)
            let statusQueries = try await simulators.db.query("SELECT count(*) AS n FROM purchases.calls WHERE operation = 'vendStatus'")
            #expect(try statusQueries.single().decode(Int.self, "n") == 8)
        }
    }

    @Test("SIGKILL while the bank is answering reserveFunds: the purchase is settled as 2060 and the bank told to release its hold")
    func killDuringReservation() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        try await PurchaseHarness.withSimulators { simulators in
            let launched = Launched()
            defer { launched.killAll() }
            simulators.bank.reserveAnswerDelayMs.withLock { $0 = 800 }
            let first = try await Self.serve(simulators.database, launched: launched)
            let token = try await PurchaseHarness.issueToken(http: simulators.http, service: first.base)
            let harness = simulators.harness(service: first.base, token: token)
            let body = try JSONSerialization.data(withJSONObject: PurchaseHarness.body(["clientTxnRef": "cut-off"]))
            let call = Task { try? await harness.post("/reserveAndTransact/4.0", raw: body) }
            for _ in 0..<100 where simulators.bank.reserveCalls.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(20)) }
            try await first.kill()
            _ = await call.value
            let reference = try #require(try await Self.references(simulators.db).first)
            #expect(simulators.bank.simulated.bank.hold(for: reference)?.state == .held)
            #expect(try await harness.transaction(reference).state == "reserving")

            simulators.bank.reserveAnswerDelayMs.withLock { $0 = 0 }
            let second = try await Self.serve(simulators.database, launched: launched)
            try await Self.waitUntilAllDelivered(simulators.db, count: 1, seconds: 30)
            let settled = try await harness.transaction(reference)
            #expect(settled.state == "failed" && settled.resultCode == "2060")
            #expect(simulators.bank.simulated.bank.hold(for: reference)?.state == .released)
            #expect(simulators.vendor.references(reference).isEmpty)
            // The client's repeat gets the settled answer; reserveFunds was sent once.
            let repeated = try await simulators.harness(service: second.base, token: token).post("/reserveAndTransact/4.0", raw: body)
            #expect(repeated.status == 200 && repeated.code == "2060" && repeated.raasTxnRef == reference, "\(repeated.text)")
            #expect(simulators.bank.reserveCount(reference) == 1)
            try await second.stop()
            let verify = try await TransactProcess.run(
                ["verify", "--bank-simulator", simulators.bankURL], environment: Self.environment(simulators.database))
            #expect(verify.status == 0, "\(verify.output)")
        }
    }

    @Test("SIGKILL between vend and result delivery: after restart each result is delivered, the same body, and nothing is vended again")
    func killBeforeResultDelivery() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        try await PurchaseHarness.withSimulators { simulators in
            let launched = Launched()
            defer { launched.killAll() }
            simulators.bank.refuseResults.withLock { $0 = 1_000_000 }
            let first = try await Self.serve(simulators.database, launched: launched)
            let token = try await PurchaseHarness.issueToken(http: simulators.http, service: first.base)
            let references = try await Self.purchase(simulators, server: first, token: token, count: 5)
            for _ in 0..<200 {
                let refused = references.filter { !simulators.bank.resultBodies($0).isEmpty }.count
                if refused == 5 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await first.kill()
            let vended = try await simulators.db.query("SELECT count(*) AS n FROM purchases.transactions WHERE state = 'success'")
            #expect(try vended.single().decode(Int.self, "n") == 5)

            simulators.bank.refuseResults.withLock { $0 = 0 }
            let second = try await Self.serve(simulators.database, launched: launched)
            try await Self.waitUntilAllDelivered(simulators.db, count: 5)
            try await second.stop()
            try await Self.expectCompletedOnce(simulators, references, resultDeliveries: nil)
        }
    }

    @Test("two serve processes on one database complete 1,000 purchases with no duplicate reserve, vend or result")
    func twoProcesses() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        try await PurchaseHarness.withSimulators { simulators in
            let launched = Launched()
            defer { launched.killAll() }
            let servers = [try await Self.serve(simulators.database, launched: launched), try await Self.serve(simulators.database, launched: launched)]
            let token = try await PurchaseHarness.issueToken(http: simulators.http, service: servers[0].base)
            let harnesses = servers.map {
                simulators.harness(service: $0.base, token: token)
            }
            let total = 1_000
            let references = try await withThrowingTaskGroup(of: [String].self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        var references: [String] = []
                        for index in stride(from: lane, to: total, by: 16) {
                            let reply = try await harnesses[index % 2].reserveAndTransact()
                            if reply.code == "0000", let reference = reply.raasTxnRef { references.append(reference) }
                        }
                        return references
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(references.count == total)
            try await Self.waitUntilAllDelivered(simulators.db, count: total, seconds: 120)
            for server in servers { try await server.stop() }
            try await Self.expectCompletedOnce(simulators, references)
            // One vend call per purchase across both processes.
            let owners = try await simulators.db.query("SELECT count(*) AS n FROM purchases.calls WHERE operation = 'vend'")
            #expect(try owners.single().decode(Int.self, "n") == total)
        }
    }
}
