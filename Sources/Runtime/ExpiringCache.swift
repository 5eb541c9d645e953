import Synchronization

/// Values read from the database and kept for `ttl`, so that a hot path does not read the same row each time; a
/// change made elsewhere is seen within `ttl`. Bounded: when full, it starts afresh rather than grow (entries are
/// cheap to read again). Correctness never depends on it: whatever it holds was true a moment ago.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let ttl: Duration
    private let maxEntries: Int
    private let entries = Mutex<[Key: (value: Value, at: ContinuousClock.Instant)]>([:])

    public init(ttl: Duration, maxEntries: Int = 10_000) {
        precondition(maxEntries >= 1, "a cache holds at least one entry")
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// The value kept for `key` while fresh, else the one `load` reads (then kept).
    public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let kept = entries.withLock({ $0[key] }), now - kept.at < ttl { return kept.value }
        let value = try await load()
        entries.withLock { entries in
            if entries.count >= maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, now)
        }
        return value
    }

    /// Forgets `key`: the next read loads it (the process that changed the row sees the change at once).
    public func invalidate(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
