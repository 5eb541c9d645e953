import Hummingbird
import ServiceHTTP
import Metrics
import Postgres
import Prometheus

/// The process's Prometheus registry. swift-metrics allows one bootstrap per process; every application built in
/// the process (tests build many) shares it.
enum ProcessMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// `GET /metrics`: Prometheus text. Request counts and latencies per route, method and status come from
/// Hummingbird's `MetricsMiddleware`; vend outcomes and result deliveries are counted by the workers
/// (`transact_vend_outcomes_total`, `transact_result_deliveries_total`); every call to a bank, vendor, gateway or
/// client endpoint is timed by `OutboundCall` (`transact_outbound_call_duration_seconds`) and every wait for a
/// pooled connection by `PoolWaitMetric`. Read at scrape time: database pool usage, the depth of the purchase work
/// queue (the result outbox included) and the age of the oldest item due in each queue
/// (`transact_queue_oldest_due_age_seconds{queue}`: purchase work by kind, `deliver_result` being the undelivered
/// results, and `notification_callback`), and with a lookup standby its replay lag (`transact_replica_lag_bytes`).
struct MetricsRoutes {
    let postgres: PostgresClient
    /// The lookups' reads when they go to a standby (`database.lookupUrl`).
    let replica: ReplicaReads?

    func add(to group: RouterGroup<TransactRequestContext>) {
        let registry = ProcessMetrics.registry
        func gauge(_ name: String, _ unit: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "transact", subsystem: "db_pool", metricName: name, unitName: unit, helpText: help),
                labels: [])
        }
        let connections = gauge("connections", "", "Connections in the pool")
        let connectionsUp = gauge("connections_up", "", "Connections established")
        let connectionsLeased = gauge("connections_leased", "", "Connections leased for transactions")
        let requestsQueued = gauge("requests_queued", "", "Statements waiting for or running on a connection")
        let queue = Dictionary(uniqueKeysWithValues: ["vend", "deliver_result", "reservation_deadline", "reservation_lookup"].map {
            kind in
            (kind, registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "transact", subsystem: "purchase", metricName: "jobs", unitName: "",
                    helpText: "Purchase work waiting or in progress, by kind (deliver_result is the result outbox)"),
                labels: [("kind", kind)]))
        })
        let queueKinds = queue.keys.sorted() + ["notification_callback"]
        let oldestDue = Dictionary(uniqueKeysWithValues: queueKinds.map { kind in
            (kind, registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "transact", subsystem: "queue", metricName: "oldest_due_age", unitName: "seconds",
                    helpText: "How long the oldest item due in the queue has waited (0: nothing due)"),
                labels: [("queue", kind)]))
        })
        let replicaLag = replica.map { _ in
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "transact", subsystem: "replica", metricName: "lag", unitName: "bytes",
                    helpText: "WAL the lookup standby had still to replay at its last read (0: caught up)"),
                labels: [])
        }
        group.get("metrics") { _, _ in
            // Bounded by the indexes on the jobs and on the pending callbacks (one probe per month's partition); a
            // scrape that cannot reach the database still answers with the rest.
            if let rows = try? await postgres.query("""
                SELECT kind, count(*) AS n,
                       coalesce(extract(epoch FROM now() - min(due_at) FILTER (WHERE due_at <= now())), 0)::float8 AS oldest_due
                FROM purchases.jobs GROUP BY kind
                UNION ALL
                SELECT 'notification_callback', count(*), coalesce(extract(epoch FROM now() - min(due_at)), 0)::float8
                FROM notifications.callbacks WHERE status = 'pending' AND due_at <= now()
                """) {
                var depths = [String: Int64]()
                var ages = [String: Double]()
                for row in rows {
                    let kind = (try? row.decode(String.self, "kind")) ?? ""
                    depths[kind] = (try? row.decode(Int64.self, "n")) ?? 0
                    ages[kind] = (try? row.decode(Double.self, "oldest_due")) ?? 0
                }
                for (kind, gauge) in queue { gauge.set(depths[kind] ?? 0) }
                for (kind, gauge) in oldestDue { gauge.set(ages[kind] ?? 0) }
            }
            if let replicaLag, let lag = replica?.lastLagBytes { replicaLag.set(Int64(clamping: lag)) }
            let statistics = postgres.statistics
            connections.set(Int64(statistics.connections))
            connectionsUp.set(Int64(statistics.connectionsUp))
            connectionsLeased.set(Int64(statistics.connectionsLeased))
            requestsQueued.set(Int64(statistics.requestsQueued))
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
