public import BankInterfaces
import Foundation
public import Hummingbird

/// `transact simulate bank` over HTTP (API.md §5.3): `POST /reserveFunds`, `POST /transactResult`,
/// `GET /statusLookup?raasTxnRef=…`, `GET /holds`, the record of every hold, debit and release, and `GET /calls`,
/// how many reserveFunds and transactResult calls (by outcome) each raasTxnRef received.
public struct BankSimulatorRoutes: Sendable {
    public let bank: SimulatedBank
    private let calls = SimulatorCallLog()
    /// How long a request that gets no answer is held open (the caller's timeout ends it first).
    let silenceSeconds: Double

    public init(bank: SimulatedBank = SimulatedBank(), silenceSeconds: Double = 300) {
        self.bank = bank
        self.silenceSeconds = silenceSeconds
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("reserveFunds") { request, context -> Response in
            let body = try await request.decode(as: ReserveFundsRequest.self, context: context)
            calls.record("reserveFunds", for: body.raasTxnRef)
            switch bank.reserveFunds(body) {
            case .answer(let answer):
                return try SimulatorJSON.response(answer)
            case .silence:
                try await Task.sleep(for: .seconds(silenceSeconds))
                throw HTTPError(.gatewayTimeout)
            }
        }
        router.post("transactResult") { request, context -> Response in
            let notice = try await request.decode(as: TransactResultNotice.self, context: context)
            // By outcome: a repeat of one outcome is a redelivery (at least once); two outcomes would be a conflict.
            calls.record(notice.isSuccess ? "transactResult:success" : "transactResult:failure", for: notice.raasTxnRef)
            bank.transactResult(notice)
            return Response(status: .ok)
        }
        router.get("statusLookup") { request, _ -> Response in
            guard let reference = request.uri.queryParameters["raasTxnRef"].map(String.init) else {
                throw HTTPError(.badRequest, message: "raasTxnRef is required")
            }
            return try SimulatorJSON.response(bank.statusAnswer(for: reference))
        }
        router.get("calls") { _, _ -> Response in try SimulatorJSON.response(calls.all) }
        router.get("holds") { _, _ -> Response in
            struct Entry: Encodable {
                let raasTxnRef: String
                let reserveFundsTxnRef: String
                let amount: Int64
                let state: String
            }
            return try SimulatorJSON.response(bank.allHolds.map {
                Entry(raasTxnRef: $0.raasTxnRef, reserveFundsTxnRef: $0.reserveFundsTxnRef, amount: $0.amount, state: $0.state.rawValue)
            })
        }
    }
}

enum SimulatorJSON {
    static func response(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
