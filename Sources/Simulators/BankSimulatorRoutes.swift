public import BankInterfaces
import Foundation
public import Hummingbird

/// `transact simulate bank` over HTTP (API.md §5.3): `POST /reserveFunds`, `POST /transactResult`,
/// `GET /statusLookup?raasTxnRef=…`, and `GET /holds`, the record of every hold, debit and release.
public struct BankSimulatorRoutes: Sendable {
    public let bank: SimulatedBank
    /// How long a request that gets no answer is held open (the caller's timeout ends it first).
    let silenceSeconds: Double

    public init(bank: SimulatedBank = SimulatedBank(), silenceSeconds: Double = 300) {
        self.bank = bank
        self.silenceSeconds = silenceSeconds
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("reserveFunds") { request, context -> Response in
            let body = try await request.decode(as: ReserveFundsRequest.self, context: context)
            switch bank.reserveFunds(body) {
            case .answer(let answer):
                return try SimulatorJSON.response(answer)
            case .silence:
                try await Task.sleep(for: .seconds(silenceSeconds))
                throw HTTPError(.gatewayTimeout)
            }
        }
        router.post("transactResult") { request, context -> Response in
            bank.transactResult(try await request.decode(as: TransactResultNotice.self, context: context))
            return Response(status: .ok)
        }
        router.get("statusLookup") { request, _ -> Response in
            guard let reference = request.uri.queryParameters["raasTxnRef"].map(String.init) else {
                throw HTTPError(.badRequest, message: "raasTxnRef is required")
            }
            return try SimulatorJSON.response(bank.statusAnswer(for: reference))
        }
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
