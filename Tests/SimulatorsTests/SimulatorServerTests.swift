import BankInterfaces
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Simulators
import Testing
import Vendors

/// The simulators over real HTTP on loopback.
@Suite("Simulated bank and vendor over HTTP")
struct SimulatorServerTests {
    func json(_ value: some Encodable) throws -> ByteBuffer { ByteBuffer(bytes: try JSONEncoder().encode(value)) }

    @Test("the bank reserves, declines, records results and answers status lookups")
    func bank() async throws {
        let routes = BankSimulatorRoutes(silenceSeconds: 0.2)
        let router = Router()
        routes.add(to: router)
        let reference = UUID().uuidString.lowercased()
        @Sendable func request(_ source: String, _ raasTxnRef: String) -> ReserveFundsRequest {
            ReserveFundsRequest(
                clientTxnRef: "c", raasTxnRef: raasTxnRef, productId: 110, productType: "Airtime", purchaseAmount: 500,
                reserveAmount: 500, feeAmount: 0, vendAmount: 500, currencyCode: "ZAR", clientId: 200, sourceIdentifier: source,
                targetIdentifier: "27831234567", accountIdentifier: nil, authCode: nil, channelId: 7, channelName: "USSD",
                channelSessionId: "s", timestamp: "2016-06-29T16:39:42Z")
        }
        try await Application(router: router).test(.live) { client in
            let headers: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/reserveFunds", method: .post, headers: headers, body: try json(request("27831234567", reference))) { response in
                #expect(response.status == .ok)
                let answer = try JSONDecoder().decode(ReserveFundsAnswer.self, from: Data(String(buffer: response.body).utf8))
                #expect(answer.responseCode == "0000" && answer.reserveFundsTxnRef != nil)
            }
            try await client.execute(uri: "/reserveFunds", method: .post, headers: headers, body: try json(request("27830002010", "x-2"))) { response in
                let answer = try JSONDecoder().decode(ReserveFundsAnswer.self, from: Data(String(buffer: response.body).utf8))
                #expect(answer.responseCode == "2010")
            }
            // 2060 is never answered: the simulator holds the request until its silence ends.
            let started = ContinuousClock.now
            try await client.execute(uri: "/reserveFunds", method: .post, headers: headers, body: try json(request("27830002060", "x-3"))) { response in
                #expect(response.status == .gatewayTimeout)
            }
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            let notice = TransactResultNotice(
                raasTxnRef: reference, clientTxnRef: "c", reserveFundsTxnRef: nil, responseCode: "0000", responseMessage: "ok",
                transactionStatus: "SUCCESS", purchaseAmount: 500, reserveAmount: 500, vendAmount: 500, feeAmount: 0,
                clientShareAmount: 0, vendorShareAmount: 0, settlementAmount: 500, timestamp: "", token: "")
            try await client.execute(uri: "/transactResult", method: .post, headers: headers, body: try json(notice)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/statusLookup?raasTxnRef=\(reference)", method: .get) { response in
                #expect(String(buffer: response.body).contains("Reservation debited"))
            }
            try await client.execute(uri: "/holds", method: .get) { response in
                #expect(String(buffer: response.body).contains(#""state":"debited""#))
            }
        }
        #expect(routes.bank.hold(for: reference)?.state == .debited)
    }

    @Test("the vendor vends, retries, times out and settles unknown outcomes by status")
    func vendor() async throws {
        let router = Router()
        VendorSimulatorRoutes(silenceSeconds: 0.2).add(to: router)
        @Sendable func vend(_ target: String, attempt: Int, token: VendRequest.TokenKind? = nil) -> VendWireRequest {
            VendWireRequest(VendRequest(
                reference: "tx-\(target)-" + String(format: "%04d", attempt), productId: 719, productTypeId: 17, amount: 2_000,
                currencyCode: "ZAR", targetIdentifier: target, tokenKind: token))
        }
        try await Application(router: router).test(.live) { client in
            let headers: HTTPFields = [.contentType: "application/json"]
            func answer(_ request: VendWireRequest) async throws -> (HTTPResponse.Status, VendWireAnswer?) {
                try await client.execute(uri: "/vend", method: .post, headers: headers, body: try json(request)) { response in
                    (response.status, try? JSONDecoder().decode(VendWireAnswer.self, from: Data(String(buffer: response.body).utf8)))
                }
            }
            let electricity = try await answer(vend("12345678", attempt: 0, token: .numeric20))
            guard case .success(let token?)? = electricity.1?.outcome else { Issue.record("no token"); return }
            #expect(token.count == 20)
            #expect(try await answer(vend("27830002213", attempt: 0)).1?.outcome == .declined(code: "2213", message: "Invalid MSISDN"))
            #expect(try await answer(vend("27830002201", attempt: 0)).1?.retryable == true)
            #expect(try await answer(vend("27830002201", attempt: 1)).1?.outcome == .success(token: nil))
            #expect(try await answer(vend("27830002239", attempt: 0)).0 == .gatewayTimeout)
            let unknown = vend("27830002240", attempt: 0)
            #expect(try await answer(unknown).1?.outcome == .unknown)
            try await client.execute(uri: "/status?reference=\(unknown.reference)", method: .get) { response in
                let settled = try JSONDecoder().decode(VendWireAnswer.self, from: Data(String(buffer: response.body).utf8))
                #expect(settled.outcome == .success(token: nil))
            }
            try await client.execute(uri: "/status?reference=never-sent-0000", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
