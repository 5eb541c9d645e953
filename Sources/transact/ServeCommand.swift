import ArgumentParser
import DatabaseMigrations
import Foundation
import Logging
import Postgres
import SecurityService
import Server
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the API and run the background workers until SIGINT or SIGTERM.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Address to listen on (overrides http.host).")
    var host: String?

    @Option(help: "Port to listen on (overrides http.port).")
    var port: Int?

    /// How long to wait for the database at start-up before giving up, for deployments that start both together.
    static let databaseWaitSeconds = 30

    func run() async throws {
        var configuration = try options.load()
        if let host { configuration.httpHost = host }
        if let port {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
            configuration.httpPort = port
        }
        if let problem = configuration.notificationGatewayProblem { throw ValidationError(problem) }
        let masterKey = try MasterKeyEnvironment.require(command: "serve")
        let traceExport = try TraceExport.start(environment: ProcessInfo.processInfo.environment)
        let logger = CommandLogging.bootstrap(
            level: configuration.logLevel, format: configuration.logFormat,
            metadataProvider: traceExport == nil ? nil : TraceExport.metadataProvider)
        let schema = try options.schema(configuration)
        let postgres = PostgresClient(configuration: configuration.postgres, logger: logger)
        let lookupPool = PostgresClient(configuration: configuration.lookupPostgres, logger: logger)

        do {
            try await requireServableSchema(postgres: postgres, schema: schema, logger: logger)
            try await MasterKeyCheck(database: postgres, masterKey: masterKey).requireOpensSealedSecrets()
            // Sessions without startup options (behind PgBouncer) get their settings from the database: checked.
            try await postgres.requireSessionSettings()
            try await lookupPool.requireSessionSettings()
        } catch let failure as CommandFailure {
            await postgres.shutdown()
            await lookupPool.shutdown()
            throw failure
        } catch {
            await postgres.shutdown()
            await lookupPool.shutdown()
            throw CommandFailure("serve: \(error)")
        }

        let dependencies = ServiceDependencies(
            postgres: postgres, lookupPool: lookupPool, lookupOnReplica: !configuration.databaseLookupURL.isEmpty,
            schema: schema, masterKey: masterKey, purchaseBatchSize: configuration.purchaseBatchSize,
            purchaseConcurrentBatches: configuration.purchaseConcurrentBatches,
            catalogueCacheTTL: .milliseconds(configuration.catalogueCacheTTLMs))
        let application = TransactApplication.make(configuration: configuration, dependencies: dependencies, logger: logger)
        // The drain period is last, so it is the first to stop: readiness turns 503 while the server still listens.
        let drain = DrainPeriod(drain: dependencies.drain, duration: .seconds(configuration.drainSeconds), logger: logger)
        // The exporter is first, so it stops last: the spans of the requests and jobs that finish are flushed.
        let services = ServiceGroup(configuration: .init(
            services: (traceExport.map { [$0] } ?? []) + [application, drain], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("Serving", metadata: ["address": "\(configuration.httpHost):\(configuration.httpPort)"])
        try await services.run()
    }

    /// Waits for the database to answer, then refuses a schema that is neither this build's nor a newer build's
    /// (a rolling deploy), and logs the newer migrations it sees.
    private func requireServableSchema(postgres: PostgresClient, schema: DatabaseSchema, logger: Logger) async throws {
        let runner = MigrationRunner(client: postgres, schema: schema, logger: logger)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(Self.databaseWaitSeconds)
        while true {
            do {
                if case .ahead(let newer) = try await runner.requireServable() {
                    logger.notice(
                        "The database was migrated by a newer build; serving it as this build's migrations are all applied",
                        metadata: ["newer": "\(newer.joined(separator: ", "))"])
                }
                return
            } catch let error as PostgresError where error.isUnavailable && clock.now < deadline {
                logger.warning("Waiting for the database", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            } catch let error as MigrationError {
                throw CommandFailure("serve: \(error)")
            } catch {
                throw CommandFailure("serve: cannot check the database schema: \(error)")
            }
        }
    }
}
