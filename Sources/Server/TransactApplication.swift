import Foundation
public import DatabaseMigrations
public import Hummingbird
public import Logging
public import Postgres

/// Composes the service: the router with its middleware and every module's routes. `Server` is the only module
/// that knows all the others.
public enum TransactApplication {
    public static func makeRouter(
        configuration: ServerConfiguration, postgres: PostgresClient, migrations: [Migration]
    ) -> Router<TransactRequestContext> {
        _ = ProcessMetrics.registry
        let router = Router(context: TransactRequestContext.self)
        // Outermost first: metrics see the final status, errors are shaped before metrics, ids before errors.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestIDMiddleware())
        let api = router.group(RouterPath(configuration.pathPrefix))
        HealthRoutes(
            migrations: MigrationRunner(client: postgres, migrations: migrations),
            readinessTimeoutMs: configuration.readinessTimeoutMs
        ).add(to: api)
        MetricsRoutes(postgres: postgres).add(to: api)
        let document = FileManager.default.contents(atPath: configuration.openAPIDocumentPath)
        OpenAPIRoutes(document: document.map { String(decoding: $0, as: UTF8.self) }).add(to: api)
        return router
    }

    public static func make(
        configuration: ServerConfiguration, postgres: PostgresClient, migrations: [Migration], logger: Logger
    ) -> some ApplicationProtocol {
        var application = Application(
            router: makeRouter(configuration: configuration, postgres: postgres, migrations: migrations),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "transact"),
            logger: logger)
        // The pool is shut down after the HTTP server, so requests in flight can finish their statements.
        application.addServices(postgres)
        return application
    }
}
