import Foundation
public import Hummingbird
import Synchronization
import TransactCore
import Vendors

/// `transact simulate vendor` over HTTP: `POST /vend`, `GET /status?reference=…` and `POST /validateAccount` with the simulated vendor's
/// behaviours (API.md §5.3). A vend that "times out" (2239) is held open without an answer; a status query for a
/// reference the vendor never received is 404 (nothing was dispensed under it). `GET /calls`: each vend reference's
/// vends, and how many of them dispensed.
public final class VendorSimulatorRoutes: Sendable {
    private let vendor = SimulatedVendor()
    private let silenceSeconds: Double
    private let received = Mutex<[String: VendRequest]>([:])
    private let calls = SimulatorCallLog()
    private static let maxRemembered = 1_000_000

    public init(silenceSeconds: Double = 300) {
        self.silenceSeconds = silenceSeconds
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("vend") { request, context -> Response in
            let body = try await request.decode(as: VendWireRequest.self, context: context)
            let vend = body.vendRequest
            self.received.withLock { received in
                if received.count < Self.maxRemembered { received[vend.reference] = vend }
            }
            let outcome = self.vendor.vend(vend)
            self.calls.record("vend", for: vend.reference)
            if case .success = outcome { self.calls.record("dispensed", for: vend.reference) }
            if case .retryable(let code, _) = outcome, code == Answer.vendorTimeout.code {
                try await Task.sleep(for: .seconds(self.silenceSeconds))
                throw HTTPError(.gatewayTimeout)
            }
            return try SimulatorJSON.response(VendWireAnswer(reference: body.reference, outcome: outcome))
        }
        router.get("calls") { _, _ -> Response in try SimulatorJSON.response(self.calls.all) }
        router.post("validateAccount") { request, context -> Response in
            let body = try await request.decode(as: AccountValidationRequest.self, context: context)
            return try SimulatorJSON.response(AccountValidationWireAnswer(self.vendor.validateAccount(body)))
        }
        router.get("status") { request, _ -> Response in
            guard let reference = request.uri.queryParameters["reference"].map(String.init) else {
                throw HTTPError(.badRequest, message: "reference is required")
            }
            guard let vend = self.received.withLock({ $0[reference] }) else {
                throw HTTPError(.notFound, message: "no vend received under \(reference)")
            }
            return try SimulatorJSON.response(VendWireAnswer(reference: reference, outcome: self.vendor.status(of: vend)))
        }
    }
}
