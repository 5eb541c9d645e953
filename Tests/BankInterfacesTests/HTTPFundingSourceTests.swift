import AsyncHTTPClient
import BankInterfaces
import Foundation
import Hummingbird
import HummingbirdTesting
import Simulators
import Synchronization
import Testing
import TransactCrypto

/// The `http` adapter against banks served over real HTTP on loopback.
@Suite("HTTP funding source")
struct HTTPFundingSourceTests {
    final class Seen: Sendable {
        let headers = Mutex<[String: String]>([:])
        let signatureValid = Mutex(false)
    }

    func request(source: String = "27831234567") -> ReserveFundsRequest {
        ReserveFundsRequest(
            clientTxnRef: "c-1", raasTxnRef: UUID().uuidString.lowercased(), productId: 110, productType: "Airtime",
            purchaseAmount: 1_000, reserveAmount: 1_000, feeAmount: 0, vendAmount: 1_000, currencyCode: "ZAR", clientId: 200,
            sourceIdentifier: source, targetIdentifier: "27831234567", accountIdentifier: nil, authCode: "1234", channelId: 7,
            channelName: "USSD", channelSessionId: "s1", timestamp: "2016-06-29T16:39:42Z")
    }

    @Test("reserves, declines, times out, refuses a mismatching answer, delivers results, looks up status, signs and authenticates")
    func exchanges() async throws {
        let simulated = BankSimulatorRoutes(silenceSeconds: 6)
        let seen = Seen()
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        let router = Router()
        simulated.add(to: router)
        // A bank that answers for another transaction.
        router.post("lying/reserveFunds") { request, context -> Response in
            var body = try await request.decode(as: ReserveFundsRequest.self, context: context)
            body.raasTxnRef = "someone-else"
            let answer = ReserveFundsAnswer(
                raasTxnRef: body.raasTxnRef, clientTxnRef: body.clientTxnRef, reserveFundsTxnRef: "B-1", responseCode: "0000",
                responseMessage: "ok")
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(answer))))
        }
        // A bank that checks the Signature over the bytes it received, and records the Authorization header.
        router.post("checked/reserveFunds") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 65_536)
            seen.headers.withLock { $0["Authorization"] = request.headers[.authorization] }
            let expected = Data(HMACSHA256.authenticationCode(key: secret, message: Array(bytes.readableBytesView))).base64EncodedString()
            seen.signatureValid.withLock { $0 = request.headers[.init("Signature")!] == expected }
            let body = try JSONDecoder().decode(ReserveFundsRequest.self, from: Data(bytes.readableBytesView))
            let answer = ReserveFundsAnswer(
                raasTxnRef: body.raasTxnRef, clientTxnRef: body.clientTxnRef, reserveFundsTxnRef: "B-2", responseCode: "0000",
                responseMessage: "ok", reserveAmount: body.reserveAmount)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(answer))))
        }
        // A client of its own, shut down before the server, so that no pooled connection keeps the server's
        // graceful shutdown waiting.
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            do {
                try await exchange(port: port, httpClient: httpClient, simulated: simulated, seen: seen, secret: secret)
            } catch {
                try? await httpClient.shutdown()
                throw error
            }
            try await httpClient.shutdown()
        }
    }

    func exchange(port: Int, httpClient: HTTPClient, simulated: BankSimulatorRoutes, seen: Seen, secret: [UInt8]) async throws {
        do {
            let base = "http://127.0.0.1:\(port)"
            let endpoints = HTTPFundingSource.Endpoints(
                reserveFundsURL: base + "/reserveFunds", transactResultURL: base + "/transactResult",
                statusLookupURL: base + "/statusLookup")
            // A generous timeout for answers (the suite runs in parallel on two cores); a short one for the silence.
            let bank = HTTPFundingSource(
                endpoints: endpoints, auth: .none, signatureSecret: nil, reservationTimeout: .seconds(10), client: httpClient)
            let impatientBank = HTTPFundingSource(
                endpoints: endpoints, auth: .none, signatureSecret: nil, reservationTimeout: .milliseconds(500), client: httpClient)

            let reserved = request()
            guard case .reserved(let reference) = await bank.reserveFunds(reserved) else { Issue.record("not reserved"); return }
            #expect(reference.hasPrefix("SIM-"))
            #expect(await bank.reserveFunds(request(source: "27830002010")) == .declined(code: "2010", message: "Insufficient funds"))
            let started = ContinuousClock.now
            guard case .noAnswer = await impatientBank.reserveFunds(request(source: "27830002060")) else { Issue.record("2060 answered"); return }
            // Well before the bank would have ended its silence (6 s): the 500 ms timeout applied (loose: a loaded
            // machine delays everything).
            #expect(ContinuousClock.now - started < .milliseconds(5_500))

            let notice = TransactResultNotice(
                raasTxnRef: reserved.raasTxnRef, clientTxnRef: reserved.clientTxnRef, reserveFundsTxnRef: reference,
                responseCode: "0000", responseMessage: "ok", transactionStatus: "SUCCESS", purchaseAmount: 1_000,
                reserveAmount: 1_000, vendAmount: 1_000, feeAmount: 0, clientShareAmount: 0, vendorShareAmount: 0,
                settlementAmount: 1_000, timestamp: "2016-06-29T16:39:45Z", token: "")
            #expect(await bank.deliverResult(notice))
            #expect(simulated.bank.hold(for: reserved.raasTxnRef)?.state == .debited)
            #expect(await bank.statusLookup(raasTxnRef: reserved.raasTxnRef)?.reserveFundsTxnRef == reference)

            let lying = HTTPFundingSource(
                endpoints: .init(reserveFundsURL: base + "/lying/reserveFunds", transactResultURL: base + "/transactResult", statusLookupURL: nil),
                auth: .none, signatureSecret: nil, reservationTimeout: .seconds(10), client: httpClient)
            #expect(await lying.reserveFunds(request()) == .noAnswer(reason: "the answer does not match the request"))

            let checked = HTTPFundingSource(
                endpoints: .init(reserveFundsURL: base + "/checked/reserveFunds", transactResultURL: base + "/transactResult", statusLookupURL: nil),
                auth: .basic(username: "bank-user", password: "bank-pass"), signatureSecret: secret, reservationTimeout: .seconds(10), client: httpClient)
            #expect(await checked.reserveFunds(request()) == .reserved(reserveFundsTxnRef: "B-2"))
            #expect(seen.signatureValid.withLock { $0 })
            #expect(seen.headers.withLock { $0["Authorization"] } == "Basic " + Data("bank-user:bank-pass".utf8).base64EncodedString())

            let unreachable = HTTPFundingSource(
                endpoints: .init(reserveFundsURL: "http://127.0.0.1:1/reserveFunds", transactResultURL: "http://127.0.0.1:1/r", statusLookupURL: nil),
                auth: .none, signatureSecret: nil, reservationTimeout: .seconds(1), resultTimeout: .seconds(1), client: httpClient)
            guard case .noAnswer = await unreachable.reserveFunds(request()) else { Issue.record("unreachable answered"); return }
            #expect(await unreachable.deliverResult(notice) == false)
        }
    }

    @Test("the simulated adapter reports the 2060 silence as no answer at once")
    func simulatedAdapter() async {
        let bank = SimulatedFundingSource()
        guard case .reserved = await bank.reserveFunds(request()) else { Issue.record("not reserved"); return }
        #expect(await bank.reserveFunds(request(source: "27830002060")) == .noAnswer(reason: "no answer (simulated timeout)"))
        #expect(await bank.reserveFunds(request(source: "27830002080")) == .declined(code: "2080", message: "Account inactive"))
    }
}
