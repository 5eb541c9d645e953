/// How notifications are sent and their status changes pushed (API.md §7). Every number is a limit.
public struct NotificationConfiguration: Sendable, Equatable {
    /// The HTTP gateway of each channel; a channel without one uses the simulated channel.
    public var gatewayURLs: [ChannelKind: String] = [:]
    /// Signs what the service posts to a gateway and checks the delivery receipts a gateway posts back
    /// (`TRANSACT_NOTIFICATIONS_GATEWAY_SECRET`; required when a gateway is configured).
    public var gatewaySecret = ""
    /// How long a gateway has to take a message.
    public var gatewayTimeoutMs = 10_000
    /// The workers' own database connections, apart from the requests', so that a flood of requests cannot starve
    /// delivery (each claim and each report would otherwise queue behind every waiting request).
    public var databasePoolSize = 2
    /// Messages claimed per statement (at most 100: one ledger batch), and such batches in progress at once in this
    /// process.
    public var sendBatchSize = 100
    public var concurrentSendBatches = 2
    /// How long a claimed message is this process's; it must outlast the gateway's timeout.
    public var leaseSeconds = 60
    /// Hand-offs tried before a message that no supplier could be reached for ends DELIVERY_FAILURE (23); retries
    /// after `sendRetryDelayMs`, doubling, at most `maxSendRetryDelayMs`.
    public var maxSendAttempts = 5
    public var sendRetryDelayMs = 1_000
    public var maxSendRetryDelayMs = 60_000
    /// Status callbacks to the client: per statement, batches at once, attempts before giving up, the delay before
    /// a retry (doubling up to the maximum) and the time a client has to answer.
    public var callbackBatchSize = 32
    public var concurrentCallbackBatches = 2
    public var callbackMaxAttempts = 20
    public var callbackRetryDelayMs = 1_000
    public var callbackMaxRetryDelayMs = 300_000
    public var callbackTimeoutMs = 10_000
    /// How far ahead `scheduledAt` may be.
    public var maxScheduleDays = 30
    /// How often due work is looked for when no notification arrives.
    public var pollIntervalMs = 1_000

    public init() {}
}
