import ArgumentParser
import Support

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reports (API.md §8).", subcommands: [Settlement.self])

    struct Settlement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The daily settlement file: every purchase posted on the day (UTC), and the totals per currency.",
            discussion: "The same file as GET /support/reports/settlement, written to standard output.")
        @OptionGroup var options: CommonOptions
        @Option(help: "The day, YYYY-MM-DD (UTC).") var date: String
        @Option(help: "Only this client's purchases.") var clientId: Int64?
        @Option(help: "Only this vendor's purchases.") var vendorId: Int64?
        @Option(help: "csv or json.") var format = "csv"

        func validate() throws {
            guard ReportDate(date) != nil else { throw ValidationError("--date must be a date, YYYY-MM-DD") }
            guard ["csv", "json"].contains(format) else { throw ValidationError("--format must be csv or json") }
            guard clientId == nil || vendorId == nil else { throw ValidationError("give --client-id or --vendor-id, not both") }
        }

        func run() async throws {
            let report = try await options.withDatabase(command: "report settlement") { database, _ in
                try await SettlementReport.make(date: ReportDate(date)!, clientId: clientId, vendorId: vendorId, on: database)
            }
            print(format == "csv" ? report.csv : report.json, terminator: format == "csv" ? "" : "\n")
        }
    }
}
