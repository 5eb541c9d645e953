import ArgumentParser
import DatabaseMigrations
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the pending migrations of Migrations/ (safe to run from several processes at once).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let configuration = try options.load()
        let logger = CommandLogging.bootstrap(level: configuration.logLevel)
        let migrations = try options.migrations(configuration)
        var postgresConfiguration = configuration.postgres
        postgresConfiguration.poolSize = 1
        let client = PostgresClient(configuration: postgresConfiguration, logger: logger)
        do {
            let applied = try await MigrationRunner(client: client, migrations: migrations, logger: logger).migrate()
            await client.shutdown()
            print(applied.isEmpty
                ? "Database is current (\(migrations.count) migrations)."
                : "Applied \(applied.map(\.fileName).joined(separator: ", ")).")
        } catch {
            await client.shutdown()
            throw CommandFailure("migrate: \(error)")
        }
    }
}
