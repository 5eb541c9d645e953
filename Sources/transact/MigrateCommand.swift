import ArgumentParser
import DatabaseMigrations
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the pending migrations of Migrations/ (safe to run from several processes at once).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (applied, known) = try await options.withDatabase(command: "migrate", requireCurrentSchema: false) { client, configuration in
            let migrations = try options.migrations(configuration)
            return (try await MigrationRunner(client: client, migrations: migrations).migrate(), migrations.count)
        }
        print(applied.isEmpty
            ? "Database is current (\(known) migrations)."
            : "Applied \(applied.map(\.fileName).joined(separator: ", ")).")
    }
}
