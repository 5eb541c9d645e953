import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Traces exported over OTLP/HTTP by swift-otel (issue 16, point 1), configured by the standard variables
/// (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`
/// `http/protobuf` (the default) or `http/json`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`).
/// Off — the tracing API's no-op tracer, nothing stored, no `traceparent` sent — unless an endpoint is set, or
/// when `OTEL_SDK_DISABLED=true`. Only traces: metrics stay on `/metrics` and logs on standard error, whose lines
/// then carry `trace_id` and `span_id`.
enum TraceExport {
    /// The exporter's service (it flushes the spans still queued when it stops), or nil when tracing is off. Call
    /// once, before the logging system is bootstrapped with `metadataProvider`.
    static func start(environment: [String: String]) throws -> (any Service)? {
        guard isConfigured(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "transact"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // The OTEL_* variables override all of the above.
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    static func isConfigured(_ environment: [String: String]) -> Bool {
        guard environment["OTEL_SDK_DISABLED"]?.lowercased() != "true" else { return false }
        return ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").isEmpty
        }
    }

    /// `trace_id`, `span_id` and `trace_flags` of the current span on every log line.
    static let metadataProvider: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()
}
