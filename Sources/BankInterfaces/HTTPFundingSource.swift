public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TransactCrypto

/// The `http` adapter: the bank's own endpoints, called with JSON (API.md §4), its auth, a `Signature` header when
/// it requires one (HMAC-SHA256 over the exact bytes sent), and a timeout per call.
public struct HTTPFundingSource: FundingSource {
    public enum Auth: Sendable, Equatable {
        case none
        case basic(username: String, password: String)
        case bearer(token: String)
    }

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
    let auth: Auth
    /// The Signature secret when the bank requires signed requests.
    let signatureSecret: [UInt8]?
    let reservationTimeout: Duration
    let resultTimeout: Duration
    let client: HTTPClient
    /// Answers larger than this are unreadable.
    static let maxAnswerBytes = 64 * 1_024

    public init(
        endpoints: Endpoints, auth: Auth, signatureSecret: [UInt8]?, reservationTimeout: Duration,
        resultTimeout: Duration = .seconds(30), client: HTTPClient = .shared
    ) {
        self.endpoints = endpoints
        self.auth = auth
        self.signatureSecret = signatureSecret
        self.reservationTimeout = reservationTimeout
        self.resultTimeout = resultTimeout
        self.client = client
    }

    public func reserveFunds(_ request: ReserveFundsRequest) async -> ReserveOutcome {
        do {
            let (status, body) = try await post(request, to: endpoints.reserveFundsURL, timeout: reservationTimeout)
            guard status == .ok, let answer = try? JSONDecoder().decode(ReserveFundsAnswer.self, from: body) else {
                return .noAnswer(reason: "unreadable answer (HTTP \(status.code))")
            }
            return ReserveOutcome(answer: answer, to: request)
        } catch {
            return .noAnswer(reason: "no answer: \(error)")
        }
    }

    public func deliverResult(_ notice: TransactResultNotice) async -> Bool {
        guard let (status, _) = try? await post(notice, to: endpoints.transactResultURL, timeout: resultTimeout) else {
            return false
        }
        return (200..<300).contains(status.code)
    }

    public func statusLookup(raasTxnRef: String) async -> ReserveFundsAnswer? {
        guard let base = endpoints.statusLookupURL,
            let query = raasTxnRef.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)
        else { return nil }
        var request = HTTPClientRequest(url: base + (base.contains("?") ? "&" : "?") + "raasTxnRef=" + query)
        request.method = .GET
        addAuth(to: &request)
        guard let response = try? await client.execute(request, timeout: TimeAmount(reservationTimeout)),
            response.status == .ok, let body = try? await response.body.collect(upTo: Self.maxAnswerBytes)
        else { return nil }
        return try? JSONDecoder().decode(ReserveFundsAnswer.self, from: Data(buffer: body))
    }

    private func post(_ value: some Encodable, to url: String, timeout: Duration) async throws -> (HTTPResponseStatus, Data) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = try encoder.encode(value)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        addAuth(to: &request)
        if let signatureSecret {
            request.headers.add(
                name: "Signature",
                value: Data(HMACSHA256.authenticationCode(key: signatureSecret, message: Array(bytes))).base64EncodedString())
        }
        request.body = .bytes(ByteBuffer(data: bytes))
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
        return (response.status, Data(buffer: body))
    }

    private func addAuth(to request: inout HTTPClientRequest) {
        switch auth {
        case .none:
            break
        case .basic(let username, let password):
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .bearer(let token):
            request.headers.add(name: "Authorization", value: "Bearer " + token)
        }
    }
}
