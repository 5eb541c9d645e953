/// The delay before the next attempt of work that failed (a message's hand-off, a client's callback): `initial`
/// after the first failure, doubling after each one, at most `maximum` (milliseconds).
public enum RetryBackoff {
    public static func delayMs(afterAttempt attempt: Int, initial: Int, maximum: Int) -> Int {
        let doublings = min(max(attempt - 1, 0), 30)
        return min(initial.multipliedReportingOverflow(by: 1 << doublings).partialValue, maximum)
    }
}
