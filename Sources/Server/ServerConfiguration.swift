public import Foundation
public import Logging
public import Postgres
import Yams
public import Purchases
public import Notifications
public import Support
public import Chat2Pay
public import Observability

/// Everything `transact serve` and the other commands are configured with. Read from `Config/transact.yaml`,
/// then overridden by environment variables (`TRANSACT_…`, and `DATABASE_URL`), then by command-line flags.
public struct ServerConfiguration: Sendable, Equatable {
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// Mounts every route under this prefix (for example `/apiman-gateway/PaydServices`); empty for none.
    public var pathPrefix = ""
    public var databaseURL = "dbname=transact"
    public var databasePoolSize = 8
    /// The lookups' own pool (API.md §6): reads only, every statement on its generic plan, and a seam for a read
    /// replica (`lookupURL`; the primary when empty).
    public var databaseLookupPoolSize = 4
    public var databaseLookupURL = ""
    /// The database itself, for what a pooler in transaction mode cannot carry: the LISTEN connection and
    /// migrations (a session's advisory lock). Empty: `databaseURL`, which then must not be such a pooler.
    public var databaseDirectURL = ""
    /// Whether statements are prepared by name on each connection (and run their saved plans). Off behind
    /// PgBouncer 1.18 in transaction mode, which cannot carry a named statement from one transaction to the next.
    public var databasePreparedStatements = true
    /// Whether each connection sends the session's settings as startup options. Off behind PgBouncer 1.18, which
    /// refuses them; the database's defaults (migration 0022) give them instead, and `serve` checks them.
    public var databaseStartupOptions = true
    public var databaseMaxQueuedRequests = 10_000
    public var databaseStatementTimeoutMs = 30_000
    public var databaseConnectTimeoutSeconds = 5
    /// Readiness answers 503 when the database does not answer within this time.
    public var readinessTimeoutMs = 2_000
    /// Each statement of a migration waits at most this long for a lock (`lock_timeout`).
    public var migrationLockTimeoutMs = 5_000
    /// Where the migrations and the OpenAPI document are read from; empty: the copies built into the binary (so that
    /// `transact` works from any folder). A path is for developing them without a rebuild.
    public var migrationsDirectory = ""
    public var openAPIDocumentPath = ""
    /// After SIGTERM (or SIGINT), how long readiness answers 503 while requests are still served, before the
    /// listener closes and the requests in flight finish: the time a load balancer takes to stop sending new ones.
    public var drainSeconds = 5
    /// Days of the append-only history `transact archive` always keeps, back from today (UTC); never fewer than the
    /// 30 of the lookup window. The default keeps thirteen months and a few days: a year of statements and the
    /// month a bank's annual reconciliation takes.
    public var retentionHistoryDays = 400
    /// Access token lifetime (API.md §1.1: default 300 s).
    public var tokenLifetimeSeconds = 300
    /// The `iss` of the tokens this service signs and accepts.
    public var tokenIssuer = "transact"
    /// How long a client's record is trusted before it is read again: the longest a secret rotation or a
    /// disabled client made by another process takes to apply.
    public var clientCacheTTLMs = 2_000
    public var logLevel = Logger.Level.info
    /// Plain text for a terminal, or one JSON object per line for a log pipeline.
    public var logFormat = LogFormat.text
    /// Whether this process runs the purchase workers (vends, result deliveries); any number of processes may.
    public var workersEnabled = true
    public var workers = WorkerConfiguration()
    /// Added to a funding source's reservation timeout before a reservation whose answer was never recorded is
    /// settled as unanswered.
    public var reservationDeadlineGraceSeconds = 30
    /// Purchase writes of concurrent purchases are applied together, at most this many per statement and commit
    /// (1: each on its own), by at most `purchaseConcurrentBatches` statements at once in each of `PurchaseSteps`'s lanes.
    public var purchaseBatchSize = 64
    public var purchaseConcurrentBatches = 1
    /// How long the cached catalogue (products, countries, operator prefixes) serves lookups without a change
    /// notification: the longest a change takes to show when its notification is lost.
    public var catalogueCacheTTLMs = 30_000
    /// Notification channels, sending and status callbacks (API.md §7).
    public var notifications = NotificationConfiguration()
    /// The support API and the web console (API.md §8).
    public var support = SupportConfiguration()
    /// Chat 2 Pay's links and background work (API.md §12).
    public var chat2Pay = Chat2PayConfiguration()

    /// Where the payment links point: `chat2Pay.publicUrl`, else this process's own address.
    public var chat2PayPublicURL: String {
        chat2Pay.publicURL.isEmpty ? "http://\(httpHost):\(httpPort)\(pathPrefix)" : chat2Pay.publicURL
    }

    public init() {}

    /// A gateway is only usable with a secret: the service signs what it sends and checks every receipt with it.
    public var notificationGatewayProblem: String? {
        guard notifications.gatewayURLs.values.contains(where: { !$0.isEmpty }), notifications.gatewaySecret.isEmpty else {
            return nil
        }
        return "a notification gateway URL is set but TRANSACT_NOTIFICATIONS_GATEWAY_SECRET is not"
    }

    public var postgres: PostgresConfiguration { pool(poolSize: databasePoolSize) }

    /// A connection to the database itself (`databaseDirectURL`, else `databaseURL`): for LISTEN and migrations,
    /// whose session state a pooler in transaction mode would not keep. Always with startup options and prepared
    /// statements, as nothing stands between it and PostgreSQL when a direct URL is set.
    public var directPostgres: PostgresConfiguration {
        databaseDirectURL.isEmpty ? postgres : pool(url: databaseDirectURL, poolSize: 1, direct: true)
    }

    /// The notification workers' own pool (`NotificationConfiguration.databasePoolSize`).
    public var notificationPostgres: PostgresConfiguration {
        pool(poolSize: notifications.databasePoolSize, applicationName: "transact-notifications")
    }

    public var lookupPostgres: PostgresConfiguration {
        pool(
            url: databaseLookupURL.isEmpty ? databaseURL : databaseLookupURL, poolSize: databaseLookupPoolSize,
            applicationName: "transact-lookups", forceGenericPlans: true)
    }

    /// A pool with the database settings every pool shares. `direct`: on PostgreSQL itself, not through a pooler,
    /// so with prepared statements and startup options whatever the pooler's switches say.
    private func pool(
        url: String? = nil, poolSize: Int, applicationName: String = "transact", forceGenericPlans: Bool = false,
        direct: Bool = false
    ) -> PostgresConfiguration {
        let prepared = direct || databasePreparedStatements
        return PostgresConfiguration(
            connectionString: url ?? databaseURL,
            poolSize: poolSize,
            maxQueuedRequests: databaseMaxQueuedRequests,
            connectTimeoutSeconds: databaseConnectTimeoutSeconds,
            statementTimeoutMs: databaseStatementTimeoutMs,
            maxPreparedStatements: prepared ? PostgresConfiguration.defaultMaxPreparedStatements : 0,
            applicationName: applicationName,
            forceGenericPlans: forceGenericPlans && prepared,
            startupOptions: direct || databaseStartupOptions)
    }

    /// The file (when it exists), then the environment.
    public static func load(file: URL?, environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw .unreadable(file.path)
            }
            try configuration.apply(yaml: String(decoding: data, as: UTF8.self), source: file.path)
        }
        try configuration.apply(environment: environment)
        return configuration
    }

    /// Each setting: its YAML path, its environment variable and how to apply a text value.
    private static let settings: [(yamlPath: String, environment: String, apply: @Sendable (inout ServerConfiguration, String) -> Bool)] = [
        ("http.host", "TRANSACT_HTTP_HOST", { $0.httpHost = $1; return !$1.isEmpty }),
        ("http.port", "TRANSACT_HTTP_PORT", { set(&$0.httpPort, $1, 0...65_535) }),
        ("http.pathPrefix", "TRANSACT_HTTP_PATH_PREFIX", { configuration, value in
            guard value.isEmpty || (value.hasPrefix("/") && !value.hasSuffix("/")) else { return false }
            configuration.pathPrefix = value
            return true
        }),
        ("database.url", "TRANSACT_DATABASE_URL", { $0.databaseURL = $1; return !$1.isEmpty }),
        ("database.poolSize", "TRANSACT_DATABASE_POOL_SIZE", { set(&$0.databasePoolSize, $1, 1...256) }),
        ("database.lookupPoolSize", "TRANSACT_DATABASE_LOOKUP_POOL_SIZE", { set(&$0.databaseLookupPoolSize, $1, 1...256) }),
        ("database.lookupUrl", "TRANSACT_DATABASE_LOOKUP_URL", { $0.databaseLookupURL = $1; return true }),
        ("database.directUrl", "TRANSACT_DATABASE_DIRECT_URL", { $0.databaseDirectURL = $1; return true }),
        ("database.preparedStatements", "TRANSACT_DATABASE_PREPARED_STATEMENTS", { set(&$0.databasePreparedStatements, $1) }),
        ("database.startupOptions", "TRANSACT_DATABASE_STARTUP_OPTIONS", { set(&$0.databaseStartupOptions, $1) }),
        ("database.maxQueuedRequests", "TRANSACT_DATABASE_MAX_QUEUED_REQUESTS",
         { set(&$0.databaseMaxQueuedRequests, $1, 1...1_000_000) }),
        ("database.statementTimeoutMs", "TRANSACT_DATABASE_STATEMENT_TIMEOUT_MS",
         { set(&$0.databaseStatementTimeoutMs, $1, 1...3_600_000) }),
        ("database.connectTimeoutSeconds", "TRANSACT_DATABASE_CONNECT_TIMEOUT_SECONDS",
         { set(&$0.databaseConnectTimeoutSeconds, $1, 1...300) }),
        ("health.readinessTimeoutMs", "TRANSACT_HEALTH_READINESS_TIMEOUT_MS",
         { set(&$0.readinessTimeoutMs, $1, 1...60_000) }),
        ("database.migrationLockTimeoutMs", "TRANSACT_DATABASE_MIGRATION_LOCK_TIMEOUT_MS",
         { set(&$0.migrationLockTimeoutMs, $1, 1...600_000) }),
        ("http.drainSeconds", "TRANSACT_HTTP_DRAIN_SECONDS", { set(&$0.drainSeconds, $1, 0...600) }),
        ("retention.historyDays", "TRANSACT_RETENTION_HISTORY_DAYS", { set(&$0.retentionHistoryDays, $1, 30...36_500) }),
        ("migrationsDirectory", "TRANSACT_MIGRATIONS_DIRECTORY", { $0.migrationsDirectory = $1; return true }),
        ("openAPIDocument", "TRANSACT_OPENAPI_DOCUMENT", { $0.openAPIDocumentPath = $1; return true }),
        ("security.tokenLifetimeSeconds", "TRANSACT_SECURITY_TOKEN_LIFETIME_SECONDS",
         { set(&$0.tokenLifetimeSeconds, $1, 10...86_400) }),
        ("security.tokenIssuer", "TRANSACT_SECURITY_TOKEN_ISSUER", { $0.tokenIssuer = $1; return !$1.isEmpty && $1.count <= 256 }),
        ("security.clientCacheTTLMs", "TRANSACT_SECURITY_CLIENT_CACHE_TTL_MS", { set(&$0.clientCacheTTLMs, $1, 0...60_000) }),
        ("workers.enabled", "TRANSACT_WORKERS_ENABLED", { configuration, value in
            guard let enabled = Bool(value) else { return false }
            configuration.workersEnabled = enabled
            return true
        }),
        ("workers.maxConcurrentJobs", "TRANSACT_WORKERS_MAX_CONCURRENT_JOBS",
         { set(&$0.workers.maxConcurrentJobs, $1, 1...10_000) }),
        ("workers.pollIntervalMs", "TRANSACT_WORKERS_POLL_INTERVAL_MS", { set(&$0.workers.pollIntervalMs, $1, 10...60_000) }),
        ("workers.leaseSeconds", "TRANSACT_WORKERS_LEASE_SECONDS", { set(&$0.workers.leaseSeconds, $1, 1...3_600) }),
        ("workers.vendRetryDelayMs", "TRANSACT_WORKERS_VEND_RETRY_DELAY_MS",
         { set(&$0.workers.vendRetryDelayMs, $1, 0...3_600_000) }),
        ("workers.vendMaxRetryDelayMs", "TRANSACT_WORKERS_VEND_MAX_RETRY_DELAY_MS",
         { set(&$0.workers.vendMaxRetryDelayMs, $1, 0...86_400_000) }),
        ("workers.maxStatusPolls", "TRANSACT_WORKERS_MAX_STATUS_POLLS", { set(&$0.workers.maxStatusPolls, $1, 0...1_000) }),
        ("workers.statusPollDelayMs", "TRANSACT_WORKERS_STATUS_POLL_DELAY_MS",
         { set(&$0.workers.statusPollDelayMs, $1, 0...86_400_000) }),
        ("workers.maxReservationLookups", "TRANSACT_WORKERS_MAX_RESERVATION_LOOKUPS",
         { set(&$0.workers.maxReservationLookups, $1, 0...100) }),
        ("workers.reservationLookupRetryDelayMs", "TRANSACT_WORKERS_RESERVATION_LOOKUP_RETRY_DELAY_MS",
         { set(&$0.workers.reservationLookupRetryDelayMs, $1, 0...86_400_000) }),
        ("purchases.reservationDeadlineGraceSeconds", "TRANSACT_PURCHASES_RESERVATION_DEADLINE_GRACE_SECONDS",
         { set(&$0.reservationDeadlineGraceSeconds, $1, 1...3_600) }),
        ("purchases.batchSize", "TRANSACT_PURCHASES_BATCH_SIZE", { set(&$0.purchaseBatchSize, $1, 1...100) }),
        ("purchases.concurrentBatches", "TRANSACT_PURCHASES_CONCURRENT_BATCHES",
         { set(&$0.purchaseConcurrentBatches, $1, 1...64) }),
        ("lookups.catalogueCacheTTLMs", "TRANSACT_LOOKUPS_CATALOGUE_CACHE_TTL_MS",
         { set(&$0.catalogueCacheTTLMs, $1, 0...3_600_000) }),
        ("notifications.smsGatewayUrl", "TRANSACT_NOTIFICATIONS_SMS_GATEWAY_URL", { setURL(&$0.notifications.gatewayURLs[.sms], $1) }),
        ("notifications.whatsAppGatewayUrl", "TRANSACT_NOTIFICATIONS_WHATSAPP_GATEWAY_URL",
         { setURL(&$0.notifications.gatewayURLs[.whatsApp], $1) }),
        ("notifications.gatewaySecret", "TRANSACT_NOTIFICATIONS_GATEWAY_SECRET", { $0.notifications.gatewaySecret = $1; return $1.count <= 256 }),
        ("notifications.gatewayTimeoutMs", "TRANSACT_NOTIFICATIONS_GATEWAY_TIMEOUT_MS",
         { set(&$0.notifications.gatewayTimeoutMs, $1, 100...60_000) }),
        ("notifications.databasePoolSize", "TRANSACT_NOTIFICATIONS_DATABASE_POOL_SIZE",
         { set(&$0.notifications.databasePoolSize, $1, 1...64) }),
        ("notifications.sendBatchSize", "TRANSACT_NOTIFICATIONS_SEND_BATCH_SIZE", { set(&$0.notifications.sendBatchSize, $1, 1...100) }),
        ("notifications.concurrentSendBatches", "TRANSACT_NOTIFICATIONS_CONCURRENT_SEND_BATCHES",
         { set(&$0.notifications.concurrentSendBatches, $1, 1...64) }),
        ("notifications.leaseSeconds", "TRANSACT_NOTIFICATIONS_LEASE_SECONDS", { set(&$0.notifications.leaseSeconds, $1, 1...3_600) }),
        ("notifications.maxSendAttempts", "TRANSACT_NOTIFICATIONS_MAX_SEND_ATTEMPTS",
         { set(&$0.notifications.maxSendAttempts, $1, 1...100) }),
        ("notifications.sendRetryDelayMs", "TRANSACT_NOTIFICATIONS_SEND_RETRY_DELAY_MS",
         { set(&$0.notifications.sendRetryDelayMs, $1, 0...3_600_000) }),
        ("notifications.maxSendRetryDelayMs", "TRANSACT_NOTIFICATIONS_MAX_SEND_RETRY_DELAY_MS",
         { set(&$0.notifications.maxSendRetryDelayMs, $1, 0...86_400_000) }),
        ("notifications.callbackMaxAttempts", "TRANSACT_NOTIFICATIONS_CALLBACK_MAX_ATTEMPTS",
         { set(&$0.notifications.callbackMaxAttempts, $1, 1...1_000) }),
        ("notifications.callbackRetryDelayMs", "TRANSACT_NOTIFICATIONS_CALLBACK_RETRY_DELAY_MS",
         { set(&$0.notifications.callbackRetryDelayMs, $1, 0...3_600_000) }),
        ("notifications.callbackMaxRetryDelayMs", "TRANSACT_NOTIFICATIONS_CALLBACK_MAX_RETRY_DELAY_MS",
         { set(&$0.notifications.callbackMaxRetryDelayMs, $1, 0...86_400_000) }),
        ("notifications.callbackTimeoutMs", "TRANSACT_NOTIFICATIONS_CALLBACK_TIMEOUT_MS",
         { set(&$0.notifications.callbackTimeoutMs, $1, 100...60_000) }),
        ("notifications.maxScheduleDays", "TRANSACT_NOTIFICATIONS_MAX_SCHEDULE_DAYS",
         { set(&$0.notifications.maxScheduleDays, $1, 0...366) }),
        ("chat2Pay.publicUrl", "TRANSACT_CHAT2PAY_PUBLIC_URL", { configuration, value in
            var url: String?
            guard setURL(&url, value), !(url?.hasSuffix("/") ?? false) else { return false }
            configuration.chat2Pay.publicURL = url ?? ""
            return true
        }),
        ("chat2Pay.secureCookies", "TRANSACT_CHAT2PAY_SECURE_COOKIES", { set(&$0.chat2Pay.secureCookies, $1) }),
        ("chat2Pay.unansweredGraceSeconds", "TRANSACT_CHAT2PAY_UNANSWERED_GRACE_SECONDS",
         { set(&$0.chat2Pay.unansweredGraceSeconds, $1, 1...3_600) }),
        ("chat2Pay.pollIntervalMs", "TRANSACT_CHAT2PAY_POLL_INTERVAL_MS", { set(&$0.chat2Pay.pollIntervalMs, $1, 10...60_000) }),
        ("chat2Pay.settleBatchSize", "TRANSACT_CHAT2PAY_SETTLE_BATCH_SIZE", { set(&$0.chat2Pay.settleBatchSize, $1, 1...1_000) }),
        ("chat2Pay.concurrentDeliveries", "TRANSACT_CHAT2PAY_CONCURRENT_DELIVERIES",
         { set(&$0.chat2Pay.concurrentDeliveries, $1, 1...1_000) }),
        ("chat2Pay.leaseSeconds", "TRANSACT_CHAT2PAY_LEASE_SECONDS", { set(&$0.chat2Pay.leaseSeconds, $1, 1...3_600) }),
        ("chat2Pay.callbackMaxAttempts", "TRANSACT_CHAT2PAY_CALLBACK_MAX_ATTEMPTS",
         { set(&$0.chat2Pay.callbackMaxAttempts, $1, 1...1_000) }),
        ("chat2Pay.callbackRetryDelayMs", "TRANSACT_CHAT2PAY_CALLBACK_RETRY_DELAY_MS",
         { set(&$0.chat2Pay.callbackRetryDelayMs, $1, 0...3_600_000) }),
        ("chat2Pay.callbackMaxRetryDelayMs", "TRANSACT_CHAT2PAY_CALLBACK_MAX_RETRY_DELAY_MS",
         { set(&$0.chat2Pay.callbackMaxRetryDelayMs, $1, 0...86_400_000) }),
        ("chat2Pay.callbackTimeoutMs", "TRANSACT_CHAT2PAY_CALLBACK_TIMEOUT_MS",
         { set(&$0.chat2Pay.callbackTimeoutMs, $1, 100...60_000) }),
        ("support.publicHolidays", "TRANSACT_SUPPORT_PUBLIC_HOLIDAYS", { configuration, value in
            let days = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard days.count <= 1_000, days.allSatisfy({ ReportDate($0) != nil }) else { return false }
            configuration.support.publicHolidays = days
            return true
        }),
        ("support.defaultPageSize", "TRANSACT_SUPPORT_DEFAULT_PAGE_SIZE", { set(&$0.support.defaultPageSize, $1, 1...1_000) }),
        ("support.maxPageSize", "TRANSACT_SUPPORT_MAX_PAGE_SIZE", { set(&$0.support.maxPageSize, $1, 1...1_000) }),
        ("support.maxSearchDays", "TRANSACT_SUPPORT_MAX_SEARCH_DAYS", { set(&$0.support.maxSearchDays, $1, 1...366) }),
        ("support.maxExceptions", "TRANSACT_SUPPORT_MAX_EXCEPTIONS", { set(&$0.support.maxExceptions, $1, 1...100_000) }),
        ("support.sessionIdleMinutes", "TRANSACT_SUPPORT_SESSION_IDLE_MINUTES",
         { set(&$0.support.sessionIdleMinutes, $1, 1...1_440) }),
        ("support.sessionHours", "TRANSACT_SUPPORT_SESSION_HOURS", { set(&$0.support.sessionHours, $1, 1...72) }),
        ("support.consoleSecureCookies", "TRANSACT_SUPPORT_CONSOLE_SECURE_COOKIES", { configuration, value in
            guard let secure = Bool(value) else { return false }
            configuration.support.consoleSecureCookies = secure
            return true
        }),
        ("logLevel", "TRANSACT_LOG_LEVEL", { configuration, value in
            guard let level = Logger.Level(rawValue: value) else { return false }
            configuration.logLevel = level
            return true
        }),
        ("logFormat", "TRANSACT_LOG_FORMAT", { configuration, value in
            guard let format = LogFormat(rawValue: value) else { return false }
            configuration.logFormat = format
            return true
        }),
    ]

    private static func setURL(_ target: inout String?, _ text: String) -> Bool {
        guard text.isEmpty || ((text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count <= 2_048) else {
            return false
        }
        target = text.isEmpty ? nil : text
        return true
    }

    private static func set(_ target: inout Bool, _ text: String) -> Bool {
        guard let value = Bool(text) else { return false }
        target = value
        return true
    }

    private static func set(_ target: inout Int, _ text: String, _ range: ClosedRange<Int>) -> Bool {
        guard let value = Int(text), range.contains(value) else { return false }
        target = value
        return true
    }

    mutating func apply(yaml: String, source: String) throws(ConfigurationError) {
        let document: Any?
        do {
            document = try Yams.load(yaml: yaml)
        } catch {
            throw .invalid(source: source, key: "(file)", reason: "not valid YAML: \(error)")
        }
        guard let document else { return }
        guard let root = document as? [String: Any] else {
            throw .invalid(source: source, key: "(file)", reason: "the top level must be a mapping")
        }
        var values: [String: String] = [:]
        flatten(root, prefix: "", into: &values)
        for key in values.keys where !Self.settings.contains(where: { $0.yamlPath == key }) {
            throw .invalid(source: source, key: key, reason: "unknown setting")
        }
        for setting in Self.settings {
            guard let value = values[setting.yamlPath] else { continue }
            guard setting.apply(&self, value) else { throw .invalid(source: source, key: setting.yamlPath, reason: "invalid value '\(value)'") }
        }
    }

    mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        if let url = environment["DATABASE_URL"], !url.isEmpty { databaseURL = url }
        for setting in Self.settings {
            guard let value = environment[setting.environment] else { continue }
            guard setting.apply(&self, value) else {
                throw .invalid(source: "environment", key: setting.environment, reason: "invalid value '\(value)'")
            }
        }
    }

    private func flatten(_ mapping: [String: Any], prefix: String, into values: inout [String: String]) {
        for (key, value) in mapping {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let nested = value as? [String: Any] {
                flatten(nested, prefix: path, into: &values)
            } else {
                values[path] = "\(value)"
            }
        }
    }
}

public enum ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreadable(String)
    case invalid(source: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read configuration file \(path)"
        case .invalid(let source, let key, let reason): "configuration \(source): \(key): \(reason)"
        }
    }
}
