import Synchronization

/// Token buckets per client: a bucket holds one second's allowance and refills continuously. In memory and per
/// process (each of N processes allows the full rate; configure the per-client rate accordingly).
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedAt: ContinuousClock.Instant
    }

    private let buckets = Mutex<[Int64: Bucket]>([:])
    private let maxClients: Int

    public init(maxClients: Int = 100_000) {
        self.maxClients = maxClients
    }

    /// Takes one token for `clientId`; nil when allowed, else the seconds until a token is available.
    public func acquire(clientId: Int64, ratePerSecond: Int) -> Int? {
        let rate = Double(max(1, ratePerSecond))
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            if buckets.count >= maxClients, buckets[clientId] == nil { buckets.removeAll(keepingCapacity: true) }
            var bucket = buckets[clientId] ?? Bucket(tokens: rate, updatedAt: now)
            let elapsed = now - bucket.updatedAt
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rate, bucket.tokens + seconds * rate)
            bucket.updatedAt = now
            defer { buckets[clientId] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
