import ArgumentParser
import DatabaseMigrations
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the pending migrations (built in, or of migrationsDirectory), then the repeatable set when it changed; a database a newer build migrated is left alone (safe to run from several processes at once).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (applied, standing, known) = try await options.withDatabase(command: "migrate", requireCurrentSchema: false, direct: true) {
            client, configuration in
            let schema = try options.schema(configuration)
            let runner = MigrationRunner(client: client, schema: schema, lockTimeoutMs: configuration.migrationLockTimeoutMs)
            let applied = try await runner.migrate()
            return (applied, try await runner.standing(), schema.migrations.count)
        }
        switch standing {
        case .ahead(let newer):
            print("Database is ahead of this build (\(newer.joined(separator: ", "))); nothing applied.")
        case _ where applied.isEmpty:
            print("Database is current (\(known) migrations).")
        default:
            print("Applied \(applied.map(\.fileName).joined(separator: ", ")).")
        }
    }
}
