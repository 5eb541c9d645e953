import Foundation
import Synchronization

/// Limits repeated failures per key (a client id at `/token`): after `maxFailures` within `window`, attempts are
/// refused until the window has passed. In memory and per process: a deployment of N processes allows N times
/// as many guesses, still far too few to matter against scrypt-hashed 128-bit secrets.
public final class FailureThrottle: Sendable {
    private struct Record {
        var failures: Int
        var windowStart: ContinuousClock.Instant
    }

    private let maxFailures: Int
    private let window: Duration
    private let maxKeys: Int
    private let records = Mutex<[String: Record]>([:])

    public init(maxFailures: Int = 5, window: Duration = .seconds(60), maxKeys: Int = 100_000) {
        self.maxFailures = maxFailures
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Seconds to wait before another attempt, or nil when an attempt may go ahead.
    public func retryAfter(_ key: String) -> Int? {
        records.withLock { records in
            guard let record = records[key], record.failures >= maxFailures else { return nil }
            let remaining = window - (ContinuousClock.now - record.windowStart)
            guard remaining > .zero else {
                records[key] = nil
                return nil
            }
            return max(1, Int(remaining.components.seconds) + 1)
        }
    }

    public func recordFailure(_ key: String) {
        records.withLock { records in
            let now = ContinuousClock.now
            if records.count >= maxKeys, records[key] == nil {
                records = records.filter { now - $0.value.windowStart < window }
                if records.count >= maxKeys { records.removeAll() }
            }
            var record = records[key] ?? Record(failures: 0, windowStart: now)
            if now - record.windowStart >= window { record = Record(failures: 0, windowStart: now) }
            record.failures += 1
            records[key] = record
        }
    }

    public func recordSuccess(_ key: String) {
        _ = records.withLock { $0.removeValue(forKey: key) }
    }
}
