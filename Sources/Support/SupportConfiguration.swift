/// Support's settings (API.md §8). Every number is a limit.
public struct SupportConfiguration: Sendable, Equatable {
    /// Days on which no business is done, beside weekends (exceptions count 7 business days without them).
    public var publicHolidays: [String] = []
    /// Search: rows per page by default and at most; the longest time range a search without an exact identifier
    /// may cover (it rides on the time index and filters as it goes).
    public var defaultPageSize = 50
    public var maxPageSize = 200
    public var maxSearchDays = 31
    /// Exceptions listed at most.
    public var maxExceptions = 500
    /// The console: a session ends after this long without a request, and after `sessionHours` in any case.
    public var sessionIdleMinutes = 30
    public var sessionHours = 8
    /// Whether the console is served over TLS (directly or behind a proxy that terminates it): its cookie is then
    /// `Secure`.
    public var consoleSecureCookies = false

    public init() {}
}
