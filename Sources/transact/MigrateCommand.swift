import ArgumentParser
import DatabaseMigrations
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the pending migrations of Migrations/, then its repeatable set when it changed (safe to run from several processes at once).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (applied, known) = try await options.withDatabase(command: "migrate", requireCurrentSchema: false) { client, configuration in
            let schema = try options.schema(configuration)
            return (try await MigrationRunner(client: client, schema: schema).migrate(), schema.migrations.count)
        }
        print(applied.isEmpty
            ? "Database is current (\(known) migrations)."
            : "Applied \(applied.map(\.fileName).joined(separator: ", ")).")
    }
}
