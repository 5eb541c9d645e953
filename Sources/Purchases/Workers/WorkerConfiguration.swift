import TransactCore

/// How the purchase workers run (DESIGN.md §7). Every number is a limit.
public struct WorkerConfiguration: Sendable, Equatable {
    /// Jobs in progress at once in this process.
    public var maxConcurrentJobs = 64
    /// How often due work is looked for when no notification arrives (retries and polls come due this way).
    public var pollIntervalMs = 1_000
    /// How long a claimed job is this process's. A job whose worker stops comes due again after it, and its open
    /// vend attempt is asked about. A vend call is given up `vendLeaseMargin` before the lease ends, so it should
    /// outlast the longest vend (a vendor's timeout is at most 120 s); a shorter lease cuts the calls short.
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

    /// How long before its lease ends a vend call is given up: a request already written may still reach the
    /// vendor after this process stops waiting, and must have arrived before a worker that takes the job over asks
    /// the vendor whether it did (a "never received" would start the next attempt: two dispenses).
    var vendLeaseMargin: Duration { .milliseconds(min(5_000, leaseSeconds * 250)) }

    /// A vend is not sent when less than this remains before its margin: the job waits for its lease to pass and
    /// the attempt is asked about, never sent.
    static let shortestVendWindow = Duration.milliseconds(100)

    var vendPolicy: VendPolicy {
        VendPolicy(
            retryDelayMs: vendRetryDelayMs, maxRetryDelayMs: vendMaxRetryDelayMs, maxStatusPolls: maxStatusPolls,
            statusPollDelayMs: statusPollDelayMs)
    }
}
