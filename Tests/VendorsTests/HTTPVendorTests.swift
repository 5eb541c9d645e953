import AsyncHTTPClient
import Hummingbird
import HummingbirdTesting
import Simulators
import Testing
import TransactCore
import Vendors

/// The `http` vendor adapter against the vendor simulator over real HTTP on loopback.
@Suite("HTTP vendor")
struct HTTPVendorTests {
    func request(_ target: String, attempt: Int, token: VendRequest.TokenKind? = nil) -> VendRequest {
        VendRequest(
            reference: "tx-\(target)-000\(attempt)", productId: 719, productTypeId: 17, amount: 2_000, currencyCode: "ZAR",
            targetIdentifier: target, tokenKind: token)
    }

    @Test("success with a token, decline, retryable then success, timeout, a call cut at its caller's limit, unknown settled by status, no connection")
    func outcomes() async throws {
        let router = Router()
        VendorSimulatorRoutes(silenceSeconds: 1).add(to: router)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            // A generous timeout for answers (the suite runs in parallel on two cores); a short one for the silence.
            let vendor = HTTPVendor(baseURL: "http://127.0.0.1:\(port)/", timeout: .seconds(10), client: httpClient)
            let impatient = HTTPVendor(baseURL: "http://127.0.0.1:\(port)", timeout: .milliseconds(300), client: httpClient)
            guard case .success(let token?) = await vendor.vend(request("12345678", attempt: 0, token: .numeric20), within: .seconds(10)) else {
                Issue.record("no token")
                try await httpClient.shutdown()
                return
            }
            #expect(token.count == 20)
            #expect(await vendor.vend(request("27830002213", attempt: 0), within: .seconds(10)) == .declined(code: "2213", message: "Invalid MSISDN"))
            guard case .retryable(code: "2201", _) = await vendor.vend(request("27830002201", attempt: 0), within: .seconds(10)) else {
                Issue.record("2201 not retryable")
                try await httpClient.shutdown()
                return
            }
            #expect(await vendor.vend(request("27830002201", attempt: 1), within: .seconds(10)) == .success(token: nil))
            // The request reached the vendor and no answer came: uncertain, to be asked about, never repeated blindly.
            #expect(await impatient.vend(request("27830002239", attempt: 0), within: .seconds(10)) == .uncertain(code: "2239", message: "Timeout connecting to the vendor"))
            // A vend is given up at the limit its caller sets (its lease), however long the vendor's own timeout: the
            // silent vendor would answer 504 after a second.
            let started = ContinuousClock.now
            let cut = await vendor.vend(request("27830002239", attempt: 1), within: .milliseconds(300))
            let elapsed = ContinuousClock.now - started
            #expect(cut == .uncertain(code: "2239", message: "Timeout connecting to the vendor") && elapsed < .seconds(1), "\(cut) after \(elapsed)")
            // A reference the vendor never received did not dispense.
            guard case .retryable(code: "2238", _) = await vendor.status(of: request("27830009999", attempt: 7)) else {
                Issue.record("a reference never received was not reported as not dispensed")
                return
            }
            let unknown = request("27830002240", attempt: 0)
            #expect(await vendor.vend(unknown, within: .seconds(10)) == .unknown)
            #expect(await vendor.status(of: unknown) == .success(token: nil))
            let nowhere = HTTPVendor(baseURL: "http://127.0.0.1:1", timeout: .milliseconds(400), client: httpClient)
            let refused = await nowhere.vend(request("27831234567", attempt: 0), within: .seconds(10))
            guard case .retryable = refused else {
                Issue.record("no connection was not retryable: \(refused)")
                try await httpClient.shutdown()
                return
            }
            try await httpClient.shutdown()
        }
    }
}
