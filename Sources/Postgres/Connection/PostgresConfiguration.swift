/// How a `PostgresClient` connects and how much it may hold.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection string or URI; several hosts are allowed
    /// (`host=a,b target_session_attrs=read-write`) and give fail-over to whichever is primary.
    public var connectionString: String
    /// Connections (each with its own thread).
    public var poolSize: Int
    /// Requests that may wait for a connection across the whole pool; beyond it requests fail with `.overloaded`.
    public var maxQueuedRequests: Int
    /// Requests sent to the server before their results are read (one pipeline Sync each).
    public var maxPipelineDepth: Int
    /// Used when the connection string names no `connect_timeout`.
    public var connectTimeoutSeconds: Int
    /// `statement_timeout` of every session.
    public var statementTimeoutMs: Int
    /// First and longest wait between reconnection attempts after a connection is lost. The longest is short (1 s)
    /// because a fail-over takes about 5 s: a longer cap would leave the pool waiting seconds after the new primary
    /// took writes (with 5 s, a pause of up to 10 s), and one connection attempt per second per connection costs the
    /// server nothing worth saving.
    public var reconnectInitialDelayMs: Int
    public var reconnectMaxDelayMs: Int
    /// Distinct statements prepared per connection; further ones run unnamed. 0: none is prepared (a pooler in
    /// transaction mode, PgBouncer 1.18, cannot carry named prepared statements from one transaction to the next).
    public var maxPreparedStatements: Int
    /// Whether the session's settings (`SessionSettings`, the statement timeout, generic plans) are sent as startup
    /// options. False behind a pooler that refuses them: the database's defaults must then give them.
    public var startupOptions: Bool
    public var applicationName: String
    /// Every prepared statement runs its generic plan, planned once per connection, instead of being planned anew
    /// for its parameters at each execution. For a pool whose statements are all known to plan well without their
    /// parameters' values (the lookups: `LookupPlanTests` checks each generic plan), this saves the planning,
    /// which for a small statement can cost more than running it.
    public var forceGenericPlans: Bool

    public static let defaultMaxPreparedStatements = 256

    public init(
        connectionString: String,
        poolSize: Int = 4,
        maxQueuedRequests: Int = 10_000,
        maxPipelineDepth: Int = 64,
        connectTimeoutSeconds: Int = 5,
        statementTimeoutMs: Int = 30_000,
        reconnectInitialDelayMs: Int = 50,
        reconnectMaxDelayMs: Int = 1_000,
        maxPreparedStatements: Int = Self.defaultMaxPreparedStatements,
        applicationName: String = "transact",
        forceGenericPlans: Bool = false,
        startupOptions: Bool = true
    ) {
        precondition(poolSize >= 1 && poolSize <= 256, "poolSize must be 1...256")
        precondition(maxQueuedRequests >= 1, "maxQueuedRequests must be positive")
        precondition(maxPipelineDepth >= 1 && maxPipelineDepth <= 1_024, "maxPipelineDepth must be 1...1024")
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.maxQueuedRequests = maxQueuedRequests
        self.maxPipelineDepth = maxPipelineDepth
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.statementTimeoutMs = statementTimeoutMs
        self.reconnectInitialDelayMs = reconnectInitialDelayMs
        self.reconnectMaxDelayMs = reconnectMaxDelayMs
        self.maxPreparedStatements = maxPreparedStatements
        self.applicationName = applicationName
        self.forceGenericPlans = forceGenericPlans
        self.startupOptions = startupOptions
    }
}
