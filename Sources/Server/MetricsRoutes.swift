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
/// Hummingbird's `MetricsMiddleware`; database pool usage is read at scrape time.
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
        group.get("metrics") { _, _ in
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
