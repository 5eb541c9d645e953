/// How Chat 2 Pay's links are made and its background work done (API.md §12). Every number is a limit.
public struct Chat2PayConfiguration: Sendable, Equatable {
    /// Where customers reach the service (scheme, host, port, path prefix); the links point there. Empty: the
    /// service's own address (`http.host`, `http.port`, `http.pathPrefix`), which suits a demo on one machine.
    public var publicURL = ""
    /// The payment page's CSRF cookie is `Secure` (served over TLS).
    public var secureCookies = false
    /// After the bank's reservation timeout, a payment whose answer was never recorded (its process stopped) is
    /// declined as unanswered (2060) and the bank told, this much later.
    public var unansweredGraceSeconds = 30
    /// How often expiries, unanswered payments and authorisations past their window are looked for, and due
    /// deliveries without a notification; requests settled per statement.
    public var pollIntervalMs = 1_000
    public var settleBatchSize = 100
    /// Deliveries (bank results, callbacks) in progress at once per process, and how long a claimed one is this
    /// process's (above the bank's and the merchant's timeouts).
    public var concurrentDeliveries = 16
    public var leaseSeconds = 60
    /// Callbacks to the merchant: attempts before giving up, the delay before a retry (doubling up to the maximum),
    /// and the time a merchant has to answer.
    public var callbackMaxAttempts = 20
    public var callbackRetryDelayMs = 1_000
    public var callbackMaxRetryDelayMs = 300_000
    public var callbackTimeoutMs = 10_000

    public init() {}
}
