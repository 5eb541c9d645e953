import Testing
import Vendors

@Suite("The simulated vendor (API.md §5.3)")
struct SimulatedVendorTests {
    let vendor = SimulatedVendor()

    func request(_ target: String, attempt: Int = 0, token: VendRequest.TokenKind? = nil) -> VendRequest {
        VendRequest(
            reference: "3f2b8c1e-0000-4000-8000-000000000001-" + String(format: "%04d", attempt), productId: 110, productTypeId: 3,
            amount: 1_000, currencyCode: "ZAR", targetIdentifier: target, tokenKind: token)
    }

    @Test("behaviours by the last four digits of targetIdentifier")
    func behaviours() {
        #expect(vendor.vend(request("27831234567")) == .success(token: nil))
        #expect(vendor.vend(request("27830002213")) == .declined(code: "2213", message: "Invalid MSISDN"))
        #expect(vendor.vend(request("27830002201", attempt: 0)) == .retryable(code: "2201", message: "The supplier was unable to complete this request"))
        #expect(vendor.vend(request("27830002201", attempt: 1)) == .success(token: nil))
        for attempt in 0..<3 {
            guard case .retryable(code: "2239", _) = vendor.vend(request("27830002239", attempt: attempt)) else {
                Issue.record("2239 attempt \(attempt) did not time out")
                continue
            }
        }
        #expect(vendor.vend(request("27830002240")) == .unknown)
        #expect(vendor.status(of: request("27830002240")) == .success(token: nil))
    }

    @Test("token products return a 20-digit token or a 16-character PIN, the same from vend and status")
    func tokens() {
        guard case .success(let numeric?) = vendor.vend(request("12345678", token: .numeric20)) else {
            Issue.record("no token")
            return
        }
        #expect(numeric.count == 20 && numeric.allSatisfy(\.isNumber))
        #expect(vendor.status(of: request("12345678", attempt: 1, token: .numeric20)) == .success(token: numeric))
        guard case .success(let pin?) = vendor.vend(request("27831234567", token: .voucherPIN16)) else {
            Issue.record("no PIN")
            return
        }
        #expect(pin.count == 16 && pin.allSatisfy { $0.isUppercase || $0.isNumber })
        #expect(request("x", attempt: 12).attempt == 12)
    }
}
