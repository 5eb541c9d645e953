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
/// (`transact_vend_outcomes_total`, `transact_result_deliveries_total`); database pool usage and the depth of the
/// purchase work queue (the result outbox included) are read at scrape time.
struct MetricsRoutes {
    let postgres: PostgresClient

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
        group.get("metrics") { _, _ in
            // Bounded by the index on jobs; a scrape that cannot reach the database still answers with the rest.
            if let rows = try? await postgres.query("SELECT kind, count(*) AS n FROM purchases.jobs GROUP BY kind") {
                var depths = [String: Int64]()
                for row in rows { depths[(try? row.decode(String.self, "kind")) ?? ""] = (try? row.decode(Int64.self, "n")) ?? 0 }
                for (kind, gauge) in queue { gauge.set(depths[kind] ?? 0) }
            }
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
