import Metrics

/// `transact_db_pool_wait_seconds{pool}`: how long a transaction waited for a connection of its own, per pool
/// (`transact`, `transact-notifications`, `transact-lookups`). A pool too small for its load shows here first, as
/// waits that grow while the database itself stays idle.
enum PoolWaitMetric {
    static func observer(pool: String) -> @Sendable (Duration) -> Void {
        { waited in
            // Made at each wait, not once: a metric made before the process bootstraps its metrics system would
            // stay a no-op (the registry hands back the same histogram for the same name and labels).
            let (seconds, attoseconds) = waited.components
            Timer(label: "transact_db_pool_wait_seconds", dimensions: [("pool", pool)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }
}
