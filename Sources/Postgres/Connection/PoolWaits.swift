import Metrics

/// `transact_db_pool_wait_seconds{pool, waiting_for}`: how long work waited for the database pool, per pool (its
/// application name): a statement in a connection's queue before it was sent (`statement`), a transaction for a
/// connection of its own (`connection`). A pool too small for its load shows here first, as waits that grow while
/// the database itself stays idle.
enum PoolWaits {
    enum Wait: String {
        case statement, connection
    }

    static func record(_ waits: [Duration], for wait: Wait, pool: String) {
        guard !waits.isEmpty else { return }
        // Made at each use, not once: a metric made before the process bootstraps its metrics system would stay a
        // no-op (the registry hands back the same histogram for the same name and labels).
        let timer = Timer(
            label: "transact_db_pool_wait_seconds", dimensions: [("pool", pool), ("waiting_for", wait.rawValue)],
            preferredDisplayUnit: .seconds)
        for waited in waits { timer.record(duration: waited) }
    }
}
