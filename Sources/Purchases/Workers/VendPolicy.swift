import TransactCore
/// How vend outcomes are followed up (API.md §3.4): retries with backoff up to the vendor's attempts, status
/// polls of an unknown outcome up to a limit.
public struct VendPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    /// The delay before attempt n+1 is `retryDelayMs × 2^(n−1)`, at most `maxRetryDelayMs`.
    public var retryDelayMs: Int
    public var maxRetryDelayMs: Int
    public var maxStatusPolls: Int
    public var statusPollDelayMs: Int

    public init(maxAttempts: Int, retryDelayMs: Int, maxRetryDelayMs: Int, maxStatusPolls: Int, statusPollDelayMs: Int) {
        self.maxAttempts = maxAttempts
        self.retryDelayMs = retryDelayMs
        self.maxRetryDelayMs = maxRetryDelayMs
        self.maxStatusPolls = maxStatusPolls
        self.statusPollDelayMs = statusPollDelayMs
    }

    func retryDelayMs(afterAttempt attempt: Int) -> Int {
        let doublings = min(max(attempt, 0), 20)
        return min(maxRetryDelayMs, retryDelayMs << doublings)
    }
}
