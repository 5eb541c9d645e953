import ArgumentParser
import Foundation
import Retention

struct Archive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take the months of the append-only history before a day out of the database, each exported first with --to.",
        discussion: """
            The history is a purchase's state changes and calls, a message's status changes and callbacks, and the \
            audit log, partitioned by UTC month. A month goes when it ends on or before --before, outside the \
            retention (retention.historyDays, never under 30 days: the lookup window), and once everything it \
            records is settled: no purchase opened before its end still open, with its transactResult unacknowledged \
            or given up, or with a reservation the bank never answered; no status callback of the month pending. \
            With --to, each month is written to DIR/<partition>.jsonl (one JSON object per row; a .sha256 beside \
            it), its rows counted again under lock, then dropped; without, it is moved to the schema `archive` for \
            you to dump. Purchases and messages themselves stay, and so do their idempotency keys. Exits 2 when a \
            month had to stay, after taking the others.
            """)

    @OptionGroup var options: CommonOptions

    @Option(help: "A UTC day, YYYY-MM-DD: the months that end on or before it go.") var before: String
    @Option(help: "A folder to export each month to before it is dropped; without it, months move to the schema `archive`.")
    var to: String?
    @Flag(help: "Say what would go and what must stay; take nothing.") var dryRun = false

    func validate() throws {
        guard before.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil else {
            throw ValidationError("--before must be a day, YYYY-MM-DD")
        }
        if let to {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: to, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--to \(to) is not a folder")
            }
        }
    }

    func run() async throws {
        let heldBack = try await options.withDatabase(command: "archive", direct: true) { database, configuration in
            let archive = HistoryArchive(database: database, retentionDays: configuration.retentionHistoryDays)
            let months = try await archive.plan(before: before)
            if months.isEmpty { print("No month of the history ends on or before \(before).") }
            var heldBack = 0
            for month in months {
                let span = "\(month.partition) (\(month.from) to \(month.until))"
                guard month.blockers.isEmpty else {
                    heldBack += 1
                    print("stays: \(span)")
                    for blocker in month.blockers { print("  - \(blocker)") }
                    continue
                }
                if dryRun {
                    print("would go: \(span)")
                    continue
                }
                if let to {
                    let exported = try await archive.export(month, to: URL(fileURLWithPath: to, isDirectory: true))
                    try await archive.detach(month, before: before, exportedRows: exported.rows) { session in
                        try await CommandAudit(on: session).record(
                            "archive history month", target: month.partition,
                            detail: "exported \(exported.rows) rows to \(exported.file.path) (sha256 \(exported.sha256)), dropped")
                    }
                    print("exported and dropped: \(span): \(exported.rows) rows, \(exported.bytes) bytes in "
                          + "\(exported.file.path), sha256 \(exported.sha256)")
                } else {
                    try await archive.detach(month, before: before, exportedRows: nil) { session in
                        try await CommandAudit(on: session).record(
                            "archive history month", target: month.partition, detail: "moved to the schema archive")
                    }
                    print("moved to the schema archive: \(span)")
                }
            }
            return heldBack
        }
        if heldBack > 0 {
            print("\(heldBack) month(s) stay until what they record is settled.")
            throw ExitCode(2)
        }
    }
}
