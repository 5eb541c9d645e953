import TransactCore

/// How the purchase workers run (DESIGN.md §7). Every number is a limit.
public struct WorkerConfiguration: Sendable, Equatable {
    /// Jobs in progress at once in this process.
    public var maxConcurrentJobs = 64
    /// How often due work is looked for when no notification arrives (retries and polls come due this way).
    public var pollIntervalMs = 1_000
    /// How long a claimed job is this process's. A job whose worker stops comes due again after it; it must
    /// outlast the longest call a job makes (a vend times out after at most 120 s).
    public var leaseSeconds = 150
    /// Vend retries: the first after `vendRetryDelayMs`, doubling, at most `vendMaxRetryDelayMs`.
    public var vendRetryDelayMs = 1_000
    public var vendMaxRetryDelayMs = 60_000
    /// Status polls of an unknown vend outcome before it is left for the vendor's confirmation and support.
    public var maxStatusPolls = 10
    public var statusPollDelayMs = 5_000
    /// Status lookups of an unanswered reservation (API.md §4.3).
    public var maxReservationLookups = 5
    public var reservationLookupRetryDelayMs = 60_000

    public init() {}

    var vendPolicy: VendPolicy {
        VendPolicy(
            retryDelayMs: vendRetryDelayMs, maxRetryDelayMs: vendMaxRetryDelayMs, maxStatusPolls: maxStatusPolls,
            statusPollDelayMs: statusPollDelayMs)
    }
}
