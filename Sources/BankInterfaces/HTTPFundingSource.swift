public import AsyncHTTPClient
import Foundation
public import OutboundHTTP

/// The `http` adapter: the bank's own endpoints, called with JSON (API.md §4) through a `SignedHTTPTransport` (auth,
/// Signature, timeouts).
public struct HTTPFundingSource: FundingSource {
    public typealias Auth = SignedHTTPTransport.Auth

    public struct Endpoints: Sendable, Equatable {
        public var reserveFundsURL: String
        public var transactResultURL: String
        public var statusLookupURL: String?

        public init(reserveFundsURL: String, transactResultURL: String, statusLookupURL: String?) {
            self.reserveFundsURL = reserveFundsURL
            self.transactResultURL = transactResultURL
            self.statusLookupURL = statusLookupURL
        }
    }

    let endpoints: Endpoints
    let transport: SignedHTTPTransport
    let reservationTimeout: Duration
    let resultTimeout: Duration

    public init(
        endpoints: Endpoints, auth: Auth, signatureSecret: [UInt8]?, reservationTimeout: Duration,
        resultTimeout: Duration = .seconds(30), client: HTTPClient = .shared
    ) {
        self.endpoints = endpoints
        self.transport = SignedHTTPTransport(auth: auth, signatureSecret: signatureSecret, client: client)
        self.reservationTimeout = reservationTimeout
        self.resultTimeout = resultTimeout
    }

    public func reserveFunds(_ request: ReserveFundsRequest) async -> ReserveOutcome {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let (status, body) = try await transport.post(
                Array(try encoder.encode(request)), to: endpoints.reserveFundsURL, timeout: reservationTimeout)
            guard status == .ok, let answer = try? JSONDecoder().decode(ReserveFundsAnswer.self, from: body) else {
                return .noAnswer(reason: "unreadable answer (HTTP \(status.code))")
            }
            return ReserveOutcome(answer: answer, to: request)
        } catch {
            return .noAnswer(reason: "no answer: \(error)")
        }
    }

    public func deliverResult(body: [UInt8]) async -> Delivery {
        await transport.deliver(body, to: endpoints.transactResultURL, timeout: resultTimeout)
    }

    /// Characters a query value may hold unescaped.
    static let queryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))

    public func statusLookup(raasTxnRef: String) async -> ReserveFundsAnswer? {
        guard let base = endpoints.statusLookupURL,
            let query = raasTxnRef.addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed)
        else { return nil }
        guard let (status, body) = try? await transport.get(
                base + (base.contains("?") ? "&" : "?") + "raasTxnRef=" + query, timeout: reservationTimeout),
            status == .ok
        else { return nil }
        return try? JSONDecoder().decode(ReserveFundsAnswer.self, from: body)
    }
}
