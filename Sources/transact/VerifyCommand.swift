import ArgumentParser
import AsyncHTTPClient
import Chat2Pay
import Foundation
import Ledger
import Notifications
import NIOCore
import NIOFoundationCompat
import Postgres
import Purchases
import TransactCore

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the ledger and transaction invariants; exit non-zero with a report when one fails.",
        discussion: """
            Ledger: every transfer's postings balance per currency; every account's stored balances equal its \
            postings; no flagged account is overdrawn; no resolution of a transfer that is not pending; no post \
            beyond its pending transfer (a pending transfer resolved twice is impossible: a unique index refuses it). \
            Purchases (API.md §11): every accepted purchase holds exactly its pending transfer, posted when it \
            succeeded and voided when it failed, its postings equal to its breakdown; every final purchase that \
            reserved anything has its transactResult delivered, queued or listed as an exception; no open purchase \
            without work scheduled to move it on; no transaction vended successfully twice. Notifications (API.md \
            §7): every charged message has its charge transfer, every refunded one its refund, none that reached the \
            supplier was refunded, and none waits with nothing scheduled to send it. With --bank-simulator, \
            also every hold the simulated bank made agrees with the transaction it was made for.
            """)

    @OptionGroup var options: CommonOptions

    @Option(help: "Base URL of a `transact simulate bank` whose holds must agree with the transactions.")
    var bankSimulator: String?

    func run() async throws {
        var holds: [BankHold]?
        if let bankSimulator { holds = try await Self.holds(at: bankSimulator) }
        let violations = try await options.withDatabase(command: "verify") { database, _ in
            var violations = try await Ledger().invariantViolations(on: database)
            let store = PurchaseStore(database: database)
            violations += try await store.invariantViolations()
            let payments = PaymentRequestStore(database: database)
            if let holds {
                // The bank holds funds for purchases and for payment requests alike; each is checked by its own.
                let (paymentProblems, purchaseHolds) = try await payments.holdViolations(holds)
                violations += paymentProblems
                violations += try await store.holdViolations(purchaseHolds)
            }
            violations += try await NotificationStore(database: database).invariantViolations()
            violations += try await payments.invariantViolations()
            return violations
        }
        guard violations.isEmpty else {
            print("FAILED: \(violations.count) invariant(s) broken")
            for violation in violations.prefix(1_000) { print("  - \(violation)") }
            if violations.count > 1_000 { print("  … and \(violations.count - 1_000) more") }
            throw ExitCode(2)
        }
        print("OK: every ledger, purchase, notification and Chat 2 Pay invariant holds" + (holds.map { " (and \($0.count) bank holds agree)" } ?? ""))
    }

    /// The simulated bank's record (`GET /holds`).
    static func holds(at baseURL: String) async throws -> [BankHold] {
        let url = baseURL.hasSuffix("/") ? baseURL + "holds" : baseURL + "/holds"
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            guard response.status == .ok else { throw CommandFailure("verify: \(url) answered HTTP \(response.status.code)") }
            let body = try await response.body.collect(upTo: 512 * 1_024 * 1_024)
            return try JSONDecoder().decode([BankHold].self, from: Data(buffer: body))
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("verify: cannot read the bank simulator's holds at \(url): \(error)")
        }
    }
}
