import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import TestSupport
import Testing

/// Traces end to end (issue 16, point 1): `transact serve` as a process exporting over OTLP/HTTP (JSON) to a
/// receiver of the test's own. A purchase whose request carries a `traceparent`, its result delivery refused until
/// the first process has stopped, delivered by a second process; a message, its send and its status callbacks.
@Suite("Traces", .serialized)
struct TracingTests {
    /// An OTLP/HTTP trace receiver (every exported span, in the order received), which is also the client's
    /// notification callback endpoint (the `traceparent` of every callback).
    final class Receiver: Sendable {
        struct Span: Sendable {
            let traceId: String
            let spanId: String
            let parentSpanId: String
            let name: String
            let attributes: [String: String]
        }

        let spans = Mutex<[Span]>([])
        let callbackTraceParents = Mutex<[String]>([])

        var all: [Span] { spans.withLock { $0 } }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("v1/traces") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 16 << 20)
                let export = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
                let received = Self.spans(in: export)
                self.spans.withLock { $0 += received }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
            router.post("callback") { request, _ -> Response in
                self.callbackTraceParents.withLock { $0.append(request.headers[.init("traceparent")!] ?? "") }
                return Response(status: .ok)
            }
            return router
        }

        static func spans(in export: [String: Any]) -> [Span] {
            var spans: [Span] = []
            for resource in export["resourceSpans"] as? [[String: Any]] ?? [] {
                for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                    for span in scope["spans"] as? [[String: Any]] ?? [] {
                        var attributes: [String: String] = [:]
                        for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
                            attributes[key] = value.values.first.map { "\($0)" }
                        }
                        spans.append(Span(
                            traceId: hex(span["traceId"]), spanId: hex(span["spanId"]), parentSpanId: hex(span["parentSpanId"]),
                            name: span["name"] as? String ?? "", attributes: attributes))
                    }
                }
            }
            return spans
        }

        /// OTLP/JSON writes ids as hex; a protobuf JSON encoder may write the bytes as base64.
        static func hex(_ value: Any?) -> String {
            guard let text = value as? String, !text.isEmpty else { return "" }
            if text.count % 16 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
            guard let bytes = Data(base64Encoded: text) else { return text }
            return bytes.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// A receiver on loopback, the settings that make `serve` export to it, and a trace of the test's own: the
    /// caller's `traceparent` header and its ids.
    static func withReceiver(
        _ body: @Sendable (Receiver, _ settings: [String: String], _ receiverURL: String, Caller) async throws -> Void
    ) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        let receiver = Receiver()
        try await Application(router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { collector in
                let url = "http://127.0.0.1:\(try #require(collector.port))"
                let settings = [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": url,
                    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_SERVICE_NAME": "transact-under-test",
                    "OTEL_TRACES_SAMPLER": "parentbased_always_on", "OTEL_BSP_SCHEDULE_DELAY": "100",
                    "TRANSACT_LOG_FORMAT": "json", "TRANSACT_LOG_LEVEL": "debug",
                ]
                try await body(receiver, settings, url, Caller())
            }
    }

    /// The caller's side of a trace: a fresh trace id and the caller's span.
    struct Caller: Sendable {
        let traceId = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let spanId = "00f067aa0ba902b7"
        var header: (String, String) { ("traceparent", "00-\(traceId)-\(spanId)-01") }
    }

    @Test("a purchase's request, reserveFunds, vend and transactResult share the trace of its inbound traceparent, across a restart; the bank receives it")
    func purchaseTracedAcrossARestart() async throws {
        try await Self.withReceiver { receiver, settings, _, caller in
            try await PurchaseHarness.withSimulators { simulators in
                let (traceId, callerSpan) = (caller.traceId, caller.spanId)
                let launched = ProcessRecoveryTests.Launched()
                defer { launched.killAll() }
                // The bank refuses the result until the first process has gone.
                simulators.bank.refuseResults.withLock { $0 = 1_000_000 }
                let first = try await ProcessRecoveryTests.serve(simulators.database, settings: settings, launched: launched)
                let token = try await PurchaseHarness.issueToken(http: simulators.http, service: first.base)
                let harness = simulators.harness(service: first.base, token: token)
                let reply = try await harness.post(
                    "/reserveAndTransact/4.0", raw: try JSONSerialization.data(withJSONObject: PurchaseHarness.body()),
                    headers: [caller.header])
                #expect(reply.code == "0000", "\(reply.text)")
                let reference = try #require(reply.raasTxnRef)
                for _ in 0..<200 where simulators.bank.resultBodies(reference).isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(!simulators.bank.resultBodies(reference).isEmpty, "the first process tried to deliver the result")
                try await first.stop()
                let firstSpans = receiver.all
                let firstLog = first.output

                simulators.bank.refuseResults.withLock { $0 = 0 }
                let second = try await ProcessRecoveryTests.serve(simulators.database, settings: settings, launched: launched)
                try await ProcessRecoveryTests.waitUntilAllDelivered(simulators.db, count: 1)
                try await second.stop()
                let secondSpans = receiver.all.dropFirst(firstSpans.count)

                // The request's server span is a child of the caller's; the calls and steps are in its trace.
                let inTrace = receiver.all.filter { $0.traceId == traceId }
                let names = Set(inTrace.map(\.name))
                let request = try #require(inTrace.first { $0.parentSpanId == callerSpan }, "spans: \(receiver.all.map { "\($0.name) \($0.traceId)" })")
                #expect(request.name.contains("reserveAndTransact"), "\(request.name)")
                for name in ["bank reserveFunds", "vendor vend", "bank transactResult", "purchase vend", "purchase deliver_result", "db purchases.open"] {
                    #expect(names.contains(name), "\(name) is not in the trace: \(names.sorted())")
                }
                // After the restart, the second process's delivery joins the same trace.
                let delivered = secondSpans.filter { $0.name == "bank transactResult" && $0.attributes["transact.outcome"] == "acknowledged" }
                #expect(!delivered.isEmpty && delivered.allSatisfy { $0.traceId == traceId },
                        "after the restart: \(secondSpans.map { "\($0.name) \($0.traceId)" })")
                // Every span of the trace hangs off another of its spans or the caller's.
                let ids = Set(inTrace.map(\.spanId)).union([callerSpan])
                #expect(inTrace.allSatisfy { ids.contains($0.parentSpanId) }, "a span's parent is outside its trace")

                // The bank received the trace's context on each of its calls.
                let reserveContexts = simulators.bank.traceParents(reference, "/reserveFunds")
                let resultContexts = simulators.bank.traceParents(reference, "/transactResult")
                #expect(reserveContexts.count == 1 && reserveContexts.allSatisfy { $0.hasPrefix("00-\(traceId)-") }, "\(reserveContexts)")
                #expect(!resultContexts.isEmpty && resultContexts.allSatisfy { $0.hasPrefix("00-\(traceId)-") }, "\(resultContexts)")

                // The JSON log lines parse, and a line logged in the request carries its ids.
                let lines = firstLog.split(separator: "\n").filter { $0.hasPrefix("{") }
                let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(!lines.isEmpty && objects.count == lines.count, "\(firstLog.suffix(2_000))")
                let answered = objects.first { ($0["message"] as? String) == "The bank answered reserveFunds" }
                #expect(answered?["trace_id"] as? String == traceId && answered?["span_id"] != nil
                        && answered?["raasTxnRef"] as? String == reference && answered?["requestId"] != nil,
                        "the reservation's log line: \(String(describing: answered))")
            }
    }
    }

    @Test("a message's acceptance, its send and its status callbacks are spans of the trace of the request that accepted it; the client's callbacks carry it")
    func messageTraced() async throws {
        try await Self.withReceiver { receiver, settings, receiverURL, caller in
            try await PurchaseHarness.withSimulators { simulators in
                try await simulators.db.query("""
                    UPDATE catalogue.clients SET notification_callback_url = \(receiverURL + "/callback") WHERE client_id = 200
                    """)
                let launched = ProcessRecoveryTests.Launched()
                defer { launched.killAll() }
                let server = try await ProcessRecoveryTests.serve(simulators.database, settings: settings, launched: launched)
                let token = try await PurchaseHarness.issueToken(http: simulators.http, service: server.base)
                let reply = try await simulators.harness(service: server.base, token: token).post(
                    "/notification/1.0", raw: Data("""
                        {"clientId": 200, "channelId": 6, "destinationIdentifier": "27831234567", "message": "Hello",
                         "clientNotificationRef": "traced-1"}
                        """.utf8), headers: [caller.header])
                #expect(reply.status == 202, "\(reply.text)")
                // Until both status changes (SENT_TO_SUPPLIER, DEVICE_ACK) are acknowledged by the client.
                for _ in 0..<400 where try await simulators.db.query("""
                    SELECT count(*) AS n FROM notifications.callbacks WHERE status = 'acknowledged'
                    """).single().decode(Int.self, "n") < 2 {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await server.stop()

                let inTrace = receiver.all.filter { $0.traceId == caller.traceId }
                let names = Set(inTrace.map(\.name))
                let request = try #require(inTrace.first { $0.parentSpanId == caller.spanId }, "spans: \(receiver.all.map { "\($0.name) \($0.traceId)" })")
                #expect(request.name.contains("notification"), "\(request.name)")
                for name in [
                    "db notifications.accept", "db notifications.claim_sends", "gateway send", "db notifications.record_sends",
                    "db notifications.claim_callbacks", "client notificationCallback", "db notifications.record_callbacks",
                ] {
                    #expect(names.contains(name), "\(name) is not in the trace: \(names.sorted())")
                }
                #expect(inTrace.filter { $0.name == "client notificationCallback" }.count == 2, "one push per status change")
                let ids = Set(inTrace.map(\.spanId)).union([caller.spanId])
                #expect(inTrace.allSatisfy { ids.contains($0.parentSpanId) }, "a span's parent is outside its trace")
                let pushed = receiver.callbackTraceParents.withLock { $0 }
                #expect(pushed.count == 2 && pushed.allSatisfy { $0.hasPrefix("00-\(caller.traceId)-") }, "\(pushed)")
            }
        }
    }
}
