import Foundation
public import DatabaseMigrations
public import Hummingbird
public import ServiceHTTP
public import Logging
public import Postgres
public import BankInterfaces
import AccountValidation
import Chat2Pay
import FinancialTerms
import InFlightCheck
import MNOLookup
import Notifications
import Support
import Retention
import ProductLookup
import TokenLookup
import TransactionLookup
import UserTransactionLookup
import ReserveAndTransact
import SecurityService
import Transact
public import TransactCrypto
import TransactResult
public import Purchases
public import Runtime
import OutboundHTTP
public import TransactCore
import ServiceLifecycle
public import Vendors

/// What the service is built from, made once by the composition root (`transact serve`, or a test).
public struct ServiceDependencies: Sendable {
    public let postgres: PostgresClient
    /// The lookups' own pool (`ServerConfiguration.lookupPostgres`); nil: `postgres`.
    public let lookupPool: PostgresClient?
    /// Where the lookups and the catalogue read: the lookup pool, or, when it is on a standby, whichever of the
    /// standby and the primary has every write acknowledged before the read (`ReplicaReads`).
    public let lookupDatabase: any PostgresQueryable
    /// The database's definition this build serves (migrations and repeatable set); readiness compares it.
    public let schema: DatabaseSchema
    public let masterKey: MasterKey
    /// Behind every funding source and vendor whose adapter is `simulated`.
    public let simulatedBank: SimulatedBank
    public let simulatedVendor: SimulatedVendorAdapter
    /// The process's purchase writes, batched across concurrent purchases.
    public let purchaseSteps: PurchaseSteps
    /// Where the purchase routes hand a vend they start to this process's purchase workers (open while they run).
    public let purchaseHandoff = JobHandoff<PurchaseJob>()
    /// Set when the process starts to stop: readiness answers 503 from then on (`DrainPeriod`).
    public let drain = Drain()
    /// The catalogue that lookups serve, dropped on every `catalogue_changed` notification.
    public let catalogue: CatalogueCache
    /// The adapters of funding sources and vendors, one directory (and so one cache) each for the whole process:
    /// the routes and the workers share them.
    let fundingSources: FundingSourceDirectory
    let vendors: VendorDirectory

    /// `lookupOnReplica`: `lookupPool` is on a hot standby (`database.lookupUrl`).
    public init(
        postgres: PostgresClient, lookupPool: PostgresClient? = nil, lookupOnReplica: Bool = false, schema: DatabaseSchema,
        masterKey: MasterKey,
        simulatedBank: SimulatedBank = SimulatedBank(),
        simulatedVendor: SimulatedVendorAdapter = SimulatedVendorAdapter(), purchaseBatchSize: Int = 64,
        purchaseConcurrentBatches: Int = 1, catalogueCacheTTL: Duration = .seconds(30)
    ) {
        self.postgres = postgres
        self.lookupPool = lookupPool
        if lookupOnReplica, let lookupPool {
            self.lookupDatabase = ReplicaReads(primary: postgres, replica: lookupPool)
        } else {
            self.lookupDatabase = lookupPool ?? postgres
        }
        self.schema = schema
        self.masterKey = masterKey
        self.simulatedBank = simulatedBank
        self.simulatedVendor = simulatedVendor
        self.purchaseSteps = PurchaseSteps(
            database: postgres, batched: purchaseBatchSize > 1, maxBatchSize: purchaseBatchSize,
            maxConcurrentBatches: purchaseConcurrentBatches)
        // Refilled after a change through `lookupDatabase`, so never from a standby older than the change.
        self.catalogue = CatalogueCache(database: lookupDatabase, ttl: catalogueCacheTTL)
        let sealer = SecretSealer(masterKey: masterKey)
        self.fundingSources = FundingSourceDirectory(
            database: postgres, open: { try sealer.open($0, purpose: $1) }, simulatedBank: simulatedBank)
        self.vendors = VendorDirectory(database: postgres, simulated: simulatedVendor)
    }
}

/// Composes the service: the router with its middleware and every module's routes. `Server` is the only module
/// that knows all the others.
public enum TransactApplication {
    public static func makeRouter(configuration: ServerConfiguration, dependencies: ServiceDependencies) -> Router<TransactRequestContext> {
        // Bootstrap swift-metrics before MetricsMiddleware creates its first metric.
        _ = ProcessMetrics.registry
        let postgres = dependencies.postgres
        let router = Router(context: TransactRequestContext.self)
        // Outermost first: the request's server span (a child of an inbound `traceparent`) covers all the rest and
        // sees the final status, as metrics do; errors are shaped before metrics, ids before errors.
        router.add(middleware: TracingMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        let api = router.group(RouterPath(configuration.pathPrefix))

        // Public: health, metrics, the OpenAPI document, tokens and the keys that verify them.
        HealthRoutes(
            migrations: MigrationRunner(client: postgres, schema: dependencies.schema),
            readinessTimeoutMs: configuration.readinessTimeoutMs, drain: dependencies.drain
        ).add(to: api)
        MetricsRoutes(postgres: postgres, replica: dependencies.lookupDatabase as? ReplicaReads).add(to: api)
        OpenAPIRoutes(document: configuration.openAPIDocument()).add(to: api)

        let directory = ClientDirectory(database: postgres, cacheTTL: .milliseconds(configuration.clientCacheTTLMs))
        let keys = SigningKeyStore(
            database: postgres, sealer: SecretSealer(masterKey: dependencies.masterKey),
            retiredKeyGrace: .seconds(configuration.tokenLifetimeSeconds + 60))
        let issuer = TokenIssuer(
            directory: directory, keys: keys, issuer: configuration.tokenIssuer,
            lifetimeSeconds: configuration.tokenLifetimeSeconds, throttle: FailureThrottle())
        TokenRoutes(issuer: issuer, keys: keys).add(to: api)
        // The support console signs its users in itself (session cookies), so it sits beside the token routes.
        ConsoleRoutes(database: postgres, issuer: issuer, configuration: configuration.support, pathPrefix: configuration.pathPrefix)
            .add(to: api)
        // A gateway's delivery receipts carry the gateway's signature instead of a token.
        DeliveryReceiptRoutes(database: postgres, gatewaySecret: configuration.notifications.gatewaySecret).add(to: api)

        // The One API (API.md §13): an integration's raw key instead of a token, then its client's rate limit.
        let oneAPI = api.group()
            .add(middleware: IntegrationAuthenticationMiddleware(
                directory: IntegrationDirectory(database: postgres, cacheTTL: .milliseconds(configuration.clientCacheTTLMs))))
            .add(middleware: RateLimitMiddleware(limiter: RateLimiter()))
        OneAPIRoutes(database: postgres).add(to: oneAPI)

        // Protected: bearer token and API key, then the client's rate limit. Routes that carry money add the
        // Signature check (SignatureMiddleware) on their own group.
        let protected = api.group()
            .add(middleware: AuthenticationMiddleware(
                verifier: TokenVerifier(directory: directory, keys: keys, issuer: configuration.tokenIssuer)))
            .add(middleware: RateLimitMiddleware(limiter: RateLimiter()))
        SessionRoutes().add(to: protected)
        FinancialTermsRoutes(database: postgres).add(to: protected)
        // Lookups (API.md §6).
        let lookups = dependencies.lookupDatabase
        InFlightCheckRoutes(database: lookups).add(to: protected)
        TransactionLookupRoutes(database: lookups).add(to: protected)
        UserTransactionLookupRoutes(database: lookups).add(to: protected)
        TokenLookupRoutes(database: lookups).add(to: protected)
        ProductLookupRoutes(catalogue: dependencies.catalogue).add(to: protected)
        CountryPrefixRoutes(catalogue: dependencies.catalogue).add(to: protected)
        MNOLookupRoutes(catalogue: dependencies.catalogue).add(to: protected)
        AccountValidationRoutes(catalogue: dependencies.catalogue, vendors: dependencies.vendors).add(to: protected)
        NotificationRoutes(database: postgres, maxScheduleDays: configuration.notifications.maxScheduleDays).add(to: protected)
        SupportRoutes(database: postgres, configuration: configuration.support).add(to: protected)

        // Routes that carry money: the Signature over the raw body when the client requires one (API.md §1.4).
        let signed = protected.group().add(middleware: SignatureMiddleware(sealer: SecretSealer(masterKey: dependencies.masterKey)))
        let reserveAndTransact = ReserveAndTransactRoutes(
            database: postgres, steps: dependencies.purchaseSteps, fundingSources: dependencies.fundingSources,
            deadlineGraceSeconds: configuration.reservationDeadlineGraceSeconds, vendHandoff: dependencies.purchaseHandoff,
            vendLeaseSeconds: configuration.workers.leaseSeconds)
        let transact = TransactRoutes(database: postgres, steps: dependencies.purchaseSteps)
        reserveAndTransact.add(to: signed)
        transact.add(to: signed)
        VersionOneTransactRoute(reserveAndTransact: reserveAndTransact, transact: transact).add(to: signed)
        VendorResultRoutes(database: postgres).add(to: signed)
        // Chat 2 Pay (API.md §12): the merchant's API carries money, so it is signed like purchases; the payment page
        // is the customer's, reached by its link's unguessable token.
        let paymentRequests = PaymentRequestStore(database: postgres)
        PaymentRequestRoutes(
            store: paymentRequests,
            links: PaymentLinks(masterKey: dependencies.masterKey, publicURL: configuration.chat2PayPublicURL)
        ).add(to: signed)
        PaymentPageRoutes(
            store: paymentRequests, fundingSources: dependencies.fundingSources, pathPrefix: configuration.pathPrefix,
            secureCookies: configuration.chat2Pay.secureCookies
        ).add(to: api)
        return router
    }

    public static func make(
        configuration: ServerConfiguration, dependencies: ServiceDependencies, logger: Logger
    ) -> some ApplicationProtocol {
        var application = Application(
            router: makeRouter(configuration: configuration, dependencies: dependencies),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "transact"),
            logger: logger)
        // Services stop in reverse order: the HTTP server first, then the workers (jobs in progress finish), then
        // the listener and the pool, so that requests and jobs in flight can finish their statements.
        // LISTEN holds a session: on the database itself, never through a pooler in transaction mode.
        let listener = PostgresListener(configuration: configuration.directPostgres, logger: logger)
        if let lookupPool = dependencies.lookupPool { application.addServices(lookupPool) }
        application.addServices(
            dependencies.postgres, ListenerService(listener: listener),
            CatalogueInvalidation(catalogue: dependencies.catalogue, listener: listener),
            PartitionUpkeep(database: dependencies.postgres, logger: logger))
        if configuration.workersEnabled {
            let sealer = SecretSealer(masterKey: dependencies.masterKey)
            application.addServices(PurchaseWorkers(
                database: dependencies.postgres, steps: dependencies.purchaseSteps, listener: listener, fundingSources: dependencies.fundingSources,
                vendors: dependencies.vendors,
                clientEndpoints: ClientEndpoints(database: dependencies.postgres, open: { try sealer.open($0, purpose: $1) }),
                configuration: configuration.workers, handoff: dependencies.purchaseHandoff, logger: logger))
            let notificationPool = PostgresClient(configuration: configuration.notificationPostgres, logger: logger)
            application.addServices(notificationPool)
            application.addServices(NotificationWorkers(
                database: notificationPool, listener: listener,
                channels: ChannelDirectory(configuration: configuration.notifications),
                clientEndpoints: ClientEndpoints(
                    database: dependencies.postgres, open: { try sealer.open($0, purpose: $1) }, url: .notificationCallback,
                    timeout: .milliseconds(configuration.notifications.callbackTimeoutMs)),
                configuration: configuration.notifications, logger: logger))
            application.addServices(Chat2PayWorkers(
                database: dependencies.postgres, listener: listener, fundingSources: dependencies.fundingSources,
                merchantEndpoints: ClientEndpoints(
                    database: dependencies.postgres, open: { try sealer.open($0, purpose: $1) }, url: .chat2PayCallback,
                    timeout: .milliseconds(configuration.chat2Pay.callbackTimeoutMs)),
                purchaseSteps: dependencies.purchaseSteps, configuration: configuration.chat2Pay, logger: logger))
        }
        return application
    }
}

/// Closes the LISTEN connection when the service group stops.
struct ListenerService: Service {
    let listener: PostgresListener

    func run() async throws {
        try? await gracefulShutdown()
        await listener.shutdown()
    }
}

/// Drops the cached catalogue whenever another process (`transact seed`, the CLI) changes it.
struct CatalogueInvalidation: Service {
    let catalogue: CatalogueCache
    let listener: PostgresListener

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await catalogue.follow(listener.events(channel: CatalogueCache.channel))
        }
    }
}
