import AsyncHTTPClient
import Foundation
import NIOCore
import Postgres
import Synchronization

/// End-to-end load on a running `transact serve`: Reserve and Transact requests (each with its own clientTxnRef),
/// either as fast as `concurrency` connections allow, or paced at `rate` requests/s (open loop: a slow answer does
/// not slow the sending). Reports accepted requests/s and the HTTP call's p50/p99, also with the bank's own time
/// (recorded by the service for each reserveFunds call, when its tables have them) taken out, then waits for the
/// results to reach the bank simulator (its holds debited or released) and reports how long completion lagged
/// behind acceptance.
struct PurchaseLoad {
    let arguments: BenchmarkArguments
    let client: PostgresClient

    struct Sample: Sendable {
        let raasTxnRef: String
        let latencyMicroseconds: Int
    }

    func run() async throws {
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)))
        let body = { @Sendable (reference: String) -> ByteBuffer in
            ByteBuffer(string: """
                {"clientId":200,"clientTxnRef":"\(reference)","channelId":7,"channelName":"USSD","channelSessionId":"bench",\
                "productId":110,"purchaseAmount":10000,"feeAmount":0,"currencyCode":"ZAR","fundingSourceId":3,\
                "sourceIdentifier":"27831234567","targetIdentifier":"27831234567","timestamp":"2026-11-29T10:00:00Z"}
                """)
        }
        let samples = Mutex<[Sample]>([])
        let refused = Counter()
        let call: @Sendable () async -> Void = {
            var request = HTTPClientRequest(url: arguments.url + "/reserveAndTransact/4.0")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Authorization", value: "Bearer " + arguments.token)
            request.headers.add(name: "X-API-Key", value: arguments.apiKey)
            request.body = .bytes(body("b-" + UUID().uuidString))
            let started = ContinuousClock.now
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                let answer = try await response.body.collect(upTo: 65_536)
                let elapsed = ContinuousClock.now - started
                let text = String(buffer: answer)
                guard response.status == .ok, text.contains(#""responseCode":"0000""#),
                    let range = text.range(of: #""raasTxnRef":""#)
                else {
                    refused.value.add(1, ordering: .relaxed)
                    return
                }
                let reference = String(text[range.upperBound...].prefix(36))
                let micros = LoadDriver.microseconds(elapsed)
                samples.withLock { $0.append(Sample(raasTxnRef: reference, latencyMicroseconds: micros)) }
            } catch {
                refused.value.add(1, ordering: .relaxed)
            }
        }

        let started = ContinuousClock.now
        let sendingSeconds = await LoadDriver.drive(arguments, refused: refused, call)
        let taken = samples.withLock { $0 }
        let accepted = Double(taken.count) / sendingSeconds
        let mode = arguments.rate > 0 ? String(format: "paced at %.0f/s", arguments.rate) : "\(arguments.concurrency) connections"
        BenchmarkMain.report("Reserve and Transact accepted (\(mode))", accepted, unit: "purchases/s")
        if refused.value.load(ordering: .relaxed) > 0 {
            print("  not accepted (refused, failed or over the in-flight cap): \(refused.value.load(ordering: .relaxed))")
        }
        let latencies = taken.map(\.latencyMicroseconds).sorted()
        print(String(format: "  HTTP call latency: p50 %.2f ms, p99 %.2f ms", LoadDriver.percentile(latencies, 0.50), LoadDriver.percentile(latencies, 0.99)))

        // The bank's own time, as the service recorded it, taken out of each call (a build that keeps no call log
        // has no such line).
        if let bankMs = try? await client.query("""
            SELECT raas_txn_ref::text AS r, latency_ms FROM purchases.calls WHERE operation = 'reserveFunds'
            """).reduce(into: [String: Int](), { $0[try $1.decode(String.self, "r")] = try $1.decode(Int.self, "latency_ms") }) {
            let withoutBank = taken.map { max(0, $0.latencyMicroseconds - (bankMs[$0.raasTxnRef] ?? 0) * 1_000) }.sorted()
            print(String(format: "  without the bank's time: p50 %.2f ms, p99 %.2f ms", LoadDriver.percentile(withoutBank, 0.50), LoadDriver.percentile(withoutBank, 0.99)))
        }

        try await LoadDriver.reportCompletion(
            arguments, http, expected: taken.count, started: started, sendingSeconds: sendingSeconds, unit: "purchases/s")
        try await http.shutdown()
    }
}
