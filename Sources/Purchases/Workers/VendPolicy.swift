/// The operator's settings for following vends up (API.md §3.4): the delay before a retry or a status query of an
/// uncertain attempt (`retryDelayMs`, doubling with each attempt, at most `maxRetryDelayMs`), and the status polls of
/// an unknown outcome. The rules that apply them, and the vendor's own limit of attempts (its catalogue row), are
/// `purchases.record_vends`': what follows a vend is decided in one place.
public struct VendPolicy: Sendable, Equatable {
    public var retryDelayMs: Int
    public var maxRetryDelayMs: Int
    public var maxStatusPolls: Int
    public var statusPollDelayMs: Int

    public init(retryDelayMs: Int, maxRetryDelayMs: Int, maxStatusPolls: Int, statusPollDelayMs: Int) {
        self.retryDelayMs = retryDelayMs
        self.maxRetryDelayMs = maxRetryDelayMs
        self.maxStatusPolls = maxStatusPolls
        self.statusPollDelayMs = statusPollDelayMs
    }
}
