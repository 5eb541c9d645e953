extension Duration {
    /// Whole milliseconds, for the records of calls made.
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// Runs `call` (a call to a bank or a vendor) and returns what it gave and how long it took, in whole milliseconds,
/// for the record of the call.
public func timed<T>(_ call: () async throws -> T) async rethrows -> (value: T, latencyMs: Int) {
    let clock = ContinuousClock()
    let started = clock.now
    let value = try await call()
    return (value, (clock.now - started).wholeMilliseconds)
}
