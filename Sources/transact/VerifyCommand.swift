import ArgumentParser
import Ledger
import Postgres

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the ledger's invariants; exit non-zero with a report when one fails.",
        discussion: """
            Checked now: every transfer's postings balance per currency; every account's stored balances equal its \
            postings; no flagged account is overdrawn; no resolution of a transfer that is not pending; no post \
            beyond its pending transfer. (A pending transfer resolved twice is impossible: a unique index refuses it.) \
            The purchase invariants of API.md §11 join these when purchases land.
            """)

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let violations = try await options.withDatabase(command: "verify") { database, _ in
            try await Ledger().invariantViolations(on: database)
        }
        guard violations.isEmpty else {
            print("FAILED: \(violations.count) ledger invariant(s) broken")
            for violation in violations.prefix(1_000) { print("  - \(violation)") }
            if violations.count > 1_000 { print("  … and \(violations.count - 1_000) more") }
            throw ExitCode(2)
        }
        print("OK: every ledger invariant holds")
    }
}
