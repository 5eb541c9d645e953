import ArgumentParser
import DatabaseMigrations
import Foundation
import Logging
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

    func migrations(_ configuration: ServerConfiguration) throws -> [Migration] {
        try Migration.load(from: URL(fileURLWithPath: configuration.migrationsDirectory))
    }
}

/// Logging to standard error at the configured level, set up once per process.
enum CommandLogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "transact")
    }
}

/// A failure to report in one line and exit non-zero, without a stack of wrapped errors.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
