import Metrics
import Tracing

/// A call to another party: a bank, a vendor, a messaging gateway or a client's own endpoint. Every one goes
/// through `OutboundCall.measure`, which times it for the record of the call (whole milliseconds) and for the
/// latency histogram `transact_outbound_call_duration_seconds{counterparty, operation, outcome}` (issue 16, point 3),
/// so that a bank or vendor that slows down or fails shows on a dashboard before a client calls about it; and which
/// makes it a client span (`<counterparty> <operation>`, point 1) whose context the request carries as its
/// `traceparent`.
public enum OutboundCall {
    public enum Counterparty: String, Sendable, CaseIterable {
        case bank, vendor, gateway, client
    }

    /// Runs `call` and returns its value and how long it took; `outcome` names what it came to as a metric label
    /// (a kind such as `declined`, never a code or a message: the set of labels stays small).
    public static func measure<T>(
        _ counterparty: Counterparty, _ operation: String, outcome: (T) -> String, _ call: () async throws -> T
    ) async rethrows -> (value: T, latencyMs: Int) {
        try await withSpan("\(counterparty.rawValue) \(operation)", ofKind: .client) { span in
            span.attributes["transact.counterparty"] = counterparty.rawValue
            let clock = ContinuousClock()
            let started = clock.now
            let value = try await call()
            let elapsed = clock.now - started
            let outcome = outcome(value)
            span.attributes["transact.outcome"] = outcome
            Timer(label: durationMetric, dimensions: [
                ("counterparty", counterparty.rawValue), ("operation", operation), ("outcome", outcome),
            ], preferredDisplayUnit: .seconds).record(duration: elapsed)
            return (value, elapsed.wholeMilliseconds)
        }
    }

    public static let durationMetric = "transact_outbound_call_duration_seconds"
}

extension Duration {
    /// Whole milliseconds, for the records of calls made.
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
    }
}
