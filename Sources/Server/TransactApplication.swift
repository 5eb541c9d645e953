import Foundation
public import DatabaseMigrations
public import Hummingbird
public import ServiceHTTP
public import Logging
public import Postgres
import FinancialTerms
import SecurityService
public import TransactCrypto

/// Composes the service: the router with its middleware and every module's routes. `Server` is the only module
/// that knows all the others.
/// What the service is built from, made once by the composition root (`transact serve`, or a test).
public struct ServiceDependencies: Sendable {
    public let postgres: PostgresClient
    public let migrations: [Migration]
    public let masterKey: MasterKey

    public init(postgres: PostgresClient, migrations: [Migration], masterKey: MasterKey) {
        self.postgres = postgres
        self.migrations = migrations
        self.masterKey = masterKey
    }
}

public enum TransactApplication {
    public static func makeRouter(configuration: ServerConfiguration, dependencies: ServiceDependencies) -> Router<TransactRequestContext> {
        // Bootstrap swift-metrics before MetricsMiddleware creates its first metric.
        _ = ProcessMetrics.registry
        let postgres = dependencies.postgres
        let router = Router(context: TransactRequestContext.self)
        // Outermost first: metrics see the final status, errors are shaped before metrics, ids before errors.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        let api = router.group(RouterPath(configuration.pathPrefix))

        // Public: health, metrics, the OpenAPI document, tokens and the keys that verify them.
        HealthRoutes(
            migrations: MigrationRunner(client: postgres, migrations: dependencies.migrations),
            readinessTimeoutMs: configuration.readinessTimeoutMs
        ).add(to: api)
        MetricsRoutes(postgres: postgres).add(to: api)
        let document = FileManager.default.contents(atPath: configuration.openAPIDocumentPath)
        OpenAPIRoutes(document: document.map { String(decoding: $0, as: UTF8.self) }).add(to: api)

        let directory = ClientDirectory(database: postgres, cacheTTL: .milliseconds(configuration.clientCacheTTLMs))
        let keys = SigningKeyStore(
            database: postgres, sealer: SecretSealer(masterKey: dependencies.masterKey),
            retiredKeyGrace: .seconds(configuration.tokenLifetimeSeconds + 60))
        let issuer = TokenIssuer(
            directory: directory, keys: keys, issuer: configuration.tokenIssuer,
            lifetimeSeconds: configuration.tokenLifetimeSeconds, throttle: FailureThrottle())
        TokenRoutes(issuer: issuer, keys: keys).add(to: api)

        // Protected: bearer token and API key, then the client's rate limit. Routes that carry money add the
        // Signature check (SignatureMiddleware) on their own group.
        let protected = api.group()
            .add(middleware: AuthenticationMiddleware(
                verifier: TokenVerifier(directory: directory, keys: keys, issuer: configuration.tokenIssuer)))
            .add(middleware: RateLimitMiddleware(limiter: RateLimiter()))
        SessionRoutes().add(to: protected)
        FinancialTermsRoutes(database: postgres).add(to: protected)
        return router
    }

    public static func make(
        configuration: ServerConfiguration, dependencies: ServiceDependencies, logger: Logger
    ) -> some ApplicationProtocol {
        var application = Application(
            router: makeRouter(configuration: configuration, dependencies: dependencies),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "transact"),
            logger: logger)
        // The pool is shut down after the HTTP server, so requests in flight can finish their statements.
        application.addServices(dependencies.postgres)
        return application
    }
}
