public import NIOHTTP1
public import Tracing

/// The W3C trace context (`traceparent`) of the work in hand (issue 16, point 1). It goes out on every call the
/// service makes, and it is stored with each purchase and message, so that what is done for them later — the vend,
/// the result's delivery, the sends and callbacks — joins the trace of the request that started them, whichever
/// process does it and however many restarts later. With tracing off (no OTLP endpoint) the instrument is a no-op:
/// nothing is written and nothing is stored.
public enum TraceContext {
    /// The header's name (W3C Trace Context §3.2).
    public static let header = "traceparent"
    /// `00-<32 hex>-<16 hex>-<2 hex>`: 55 characters; anything longer is not stored.
    public static let maxLength = 55

    /// The current span's `traceparent`, to store with the work it starts; nil when nothing is traced.
    public static func currentTraceParent() -> String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        guard let traceParent = carrier[header], traceParent.utf8.count <= maxLength else { return nil }
        return traceParent
    }

    /// Does stored work in the trace of the stored `traceparent`: the spans `work` makes are its children.
    public static func resuming<T>(_ traceParent: String?, _ work: () async throws -> T) async rethrows -> T {
        try await ServiceContext.withValue(resuming(traceParent), operation: work)
    }

    /// The context to do stored work in: a child of the stored `traceparent`; a trace of its own when there is none.
    public static func resuming(_ traceParent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let traceParent {
            InstrumentationSystem.instrument.extract([header: traceParent], into: &context, using: DictionaryExtractor())
        }
        return context
    }
}

extension HTTPHeaders {
    /// Adds the current trace context (`traceparent`, and `tracestate` when there is one) to an outbound request.
    public mutating func addTraceContext() {
        guard let context = ServiceContext.current else { return }
        InstrumentationSystem.instrument.inject(context, into: &self, using: HTTPHeadersInjector())
    }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

private struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
