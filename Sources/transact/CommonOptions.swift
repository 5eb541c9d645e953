import ArgumentParser
import DatabaseMigrations
import Foundation
import Logging
import Observability
import Postgres
import Server

/// Options every command that talks to the database takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "Configuration file (default: Config/transact.yaml when it exists).")
    var config: String?

    @Option(help: "libpq connection string or URI; overrides DATABASE_URL and the configuration file.")
    var databaseURL: String?

    /// Settings from the file, then the environment, then these flags.
    func load() throws -> ServerConfiguration {
        let file: URL?
        if let config {
            file = URL(fileURLWithPath: config)
        } else {
            let defaultFile = URL(fileURLWithPath: "Config/transact.yaml")
            file = FileManager.default.fileExists(atPath: defaultFile.path) ? defaultFile : nil
        }
        var configuration = try ServerConfiguration.load(file: file, environment: ProcessInfo.processInfo.environment)
        if let databaseURL { configuration.databaseURL = databaseURL }
        return configuration
    }

    /// The numbered migrations and the repeatable set: built in, or those of the configured folder.
    func schema(_ configuration: ServerConfiguration) throws -> DatabaseSchema {
        try configuration.databaseSchema()
    }

    /// Runs `body` with a one-connection client for the configured database (whose schema must be this build's or a
    /// newer build's unless `requireCurrentSchema` is false) and closes it; any failure is reported as
    /// `<command>: <error>`. `direct`: on the database itself (`database.directUrl`), as migrations need.
    func withDatabase<T>(
        command: String, requireCurrentSchema: Bool = true, direct: Bool = false,
        _ body: (PostgresClient, ServerConfiguration) async throws -> T
    ) async throws -> T {
        let configuration = try load()
        let logger = CommandLogging.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
        var postgresConfiguration = direct ? configuration.directPostgres : configuration.postgres
        postgresConfiguration.poolSize = 1
        let client = PostgresClient(configuration: postgresConfiguration, logger: logger)
        do {
            if requireCurrentSchema {
                try await MigrationRunner(client: client, schema: schema(configuration), logger: logger).requireServable()
            }
            let result = try await body(client, configuration)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw CommandFailure("\(command): \(error)")
        }
    }

    /// `withDatabase` with `body` in one transaction beside its record in the audit log: an administrative change
    /// that commits is audited, and one whose record cannot be written does not happen.
    func withAuditedTransaction<T>(
        command: String, _ body: (PostgresSession, CommandAudit, ServerConfiguration) async throws -> T
    ) async throws -> T {
        try await withDatabase(command: command) { database, configuration in
            try await database.withTransaction(maxAttempts: 1) { session in
                try await body(session, CommandAudit(on: session), configuration)
            }
        }
    }
}

/// Logging to standard error at the configured level and in the configured format, set up once per process.
enum CommandLogging {
    /// `metadataProvider`: metadata every line carries (the current span's ids, when traces are exported).
    static func bootstrap(
        level: Logger.Level, format: LogFormat = .text, metadataProvider: Logger.MetadataProvider? = nil
    ) -> Logger {
        LoggingSystem.bootstrap({ label, provider in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, level: level, metadataProvider: provider)
            }
        }, metadataProvider: metadataProvider)
        return Logger(label: "transact")
    }
}

/// A failure to report in one line and exit non-zero, without a stack of wrapped errors.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
