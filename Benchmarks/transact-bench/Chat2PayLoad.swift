import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// End-to-end Chat 2 Pay load on a running `transact serve` (issue 17, point 8): each journey is a payment request
/// made (an authorisation, its link sent by SMS), its page opened, the form submitted (reserveFunds at the bank),
/// and the payment captured by the merchant — four calls in turn, as fast as `concurrency` journeys go or paced at
/// `rate` journeys/s. Reports journeys completed per second (captured) and the journey's p50/p99, then waits for the
/// captures' transactResults to reach the bank simulator.
struct Chat2PayLoad {
    let arguments: BenchmarkArguments

    func run() async throws {
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                redirectConfiguration: .disallow,
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)))
        let latencies = Mutex<[Int]>([])
        let refused = Counter()
        let journey: @Sendable () async -> Void = {
            let started = ContinuousClock.now
            do {
                try await pay(http)
                latencies.withLock { $0.append(LoadDriver.microseconds(ContinuousClock.now - started)) }
            } catch {
                refused.value.add(1, ordering: .relaxed)
            }
        }
        let started = ContinuousClock.now
        let sendingSeconds = await LoadDriver.drive(arguments, refused: refused, journey)
        let taken = latencies.withLock { $0 }.sorted()
        let mode = arguments.rate > 0 ? String(format: "paced at %.0f/s", arguments.rate) : "\(arguments.concurrency) connections"
        BenchmarkMain.report("payment requests made, paid and captured (\(mode))", Double(taken.count) / sendingSeconds, unit: "payments/s")
        if refused.value.load(ordering: .relaxed) > 0 {
            print("  not completed (refused, failed or over the in-flight cap): \(refused.value.load(ordering: .relaxed))")
        }
        // The journey's four calls together, under the line name the scripts read the p99 from.
        print(String(format: "  HTTP call latency: p50 %.2f ms, p99 %.2f ms", LoadDriver.percentile(taken, 0.50), LoadDriver.percentile(taken, 0.99)))
        print("    (of the whole journey: create, open, pay, capture)")
        try await LoadDriver.reportCompletion(
            arguments, http, expected: taken.count, started: started, sendingSeconds: sendingSeconds, unit: "payments/s")
        try await http.shutdown()
    }

    struct Refused: Error {
        let step: String
    }

    /// One journey; throws at the first step that does not answer as a customer and a merchant expect.
    private func pay(_ http: HTTPClient) async throws {
        let order = "b-" + UUID().uuidString.prefix(18)
        let created = try await call(http, .POST, "/api/v2/chat-2-pay", json: """
            {"clientId":200,"channel":"sms","to":"27831234567","currency":"ZAR","orderNumber":"\(order)",\
            "subTotalAmount":8696,"taxAmount":1304,"totalAmount":10000,"timestamp":"2026-12-04T10:00:00Z",\
            "transactionType":"authorization","returnPaymentLink":true}
            """)
        guard created.status == 201, let link = Self.field("paymentLink", in: created.text),
            let reference = Self.field("paymentLinkRef", in: created.text), let path = link.range(of: "/pay/").map({ String(link[$0.lowerBound...]) })
        else { throw Refused(step: "create") }
        let page = try await call(http, .GET, path)
        guard page.status == 200, let csrf = Self.hidden("csrf", in: page.text), let cookie = page.cookie else { throw Refused(step: "open") }
        let paid = try await call(http, .POST, path, form: "csrf=\(csrf)&accountIdentifier=1234567890&authCode=1234", cookie: cookie)
        guard paid.status == 200, paid.text.contains("approved") else { throw Refused(step: "pay") }
        let captured = try await call(http, .POST, "/api/v2/capture/\(reference)", json: "{}")
        guard captured.status == 200 else { throw Refused(step: "capture") }
    }

    struct Answer {
        let status: Int
        let text: String
        let cookie: String?
    }

    private func call(
        _ http: HTTPClient, _ method: HTTPMethod, _ path: String, json: String? = nil, form: String? = nil, cookie: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: arguments.url + path)
        request.method = method
        if path.hasPrefix("/api/") {
            request.headers.add(name: "Authorization", value: "Bearer " + arguments.token)
            request.headers.add(name: "X-API-Key", value: arguments.apiKey)
        }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(
            status: Int(response.status.code), text: String(buffer: body),
            cookie: response.headers["Set-Cookie"].first.map { String($0.prefix { $0 != ";" }) })
    }

    /// A string field of a JSON answer.
    static func field(_ name: String, in text: String) -> String? {
        guard let range = text.range(of: "\"\(name)\":\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The value of a page's hidden field.
    static func hidden(_ name: String, in text: String) -> String? {
        guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
