import TransactCore
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import Observability
#if canImport(Glibc)
import Glibc
#endif

/// The `http` adapter: `POST <url>/vend` and `GET <url>/status?reference=…` with the JSON of `VendWireRequest` and
/// `VendWireAnswer`. Transport failures map to the retryable codes of API.md §10: no connection 2238 and a connect
/// timeout 2204 (nothing was sent: retryable); a timeout waiting for the answer 2239 and HTTP 5xx 2202 (the vendor
/// may have dispensed: uncertain, asked about before another attempt); an answer that cannot be read is unknown.
/// A status query about a reference the vendor never received (404) means that attempt did not dispense.
/// `POST <url>/validateAccount` takes an `AccountValidationRequest` and answers an `AccountValidationWireAnswer`.
public struct HTTPVendor: Vendor {
    let baseURL: String
    let timeout: Duration
    let client: HTTPClient
    static let maxAnswerBytes = 64 * 1_024

    public init(baseURL: String, timeout: Duration, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.client = client
    }

    /// `POST <url><path>` with `body` as JSON; nil when the body cannot be encoded.
    func post(_ path: String, json body: some Encodable) -> HTTPClientRequest? {
        guard let bytes = try? JSONEncoder().encode(body) else { return nil }
        var http = HTTPClientRequest(url: baseURL + path)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.addTraceContext()
        http.body = .bytes(ByteBuffer(data: bytes))
        return http
    }

    /// The answer's body read as `Answer` (at most `maxAnswerBytes`); nil when it cannot be read.
    static func decode<Answer: Decodable>(_ response: HTTPClientResponse, as type: Answer.Type) async -> Answer? {
        guard let bytes = try? await response.body.collect(upTo: maxAnswerBytes) else { return nil }
        return try? JSONDecoder().decode(type, from: Data(buffer: bytes))
    }

    public func vend(_ request: VendRequest, within limit: Duration) async -> VendOutcome {
        guard let http = post("/vend", json: VendWireRequest(request)) else { return .unknown }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, timeout: TimeAmount(min(timeout, limit)))
        } catch let error as HTTPClientError where error == .connectTimeout {
            return .retryable(Answer.vendorConnectionTimeout.coded)
        } catch where Self.neverConnected(error) {
            return .retryable(Answer.cannotConnectToVendor.coded)
        } catch {
            // Anything else may have happened after the request was written: a timeout waiting for the answer, the
            // connection closed under it.
            return .uncertain(Answer.vendorTimeout.coded)
        }
        if response.status.code >= 500 { return .uncertain(Answer.vendorCommunicationError.coded) }
        guard let answer = await Self.decode(response, as: VendWireAnswer.self), answer.reference == request.reference else {
            return .unknown
        }
        return answer.outcome
    }

    /// A failure to connect at all: nothing was sent.
    static func neverConnected(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        guard let error = error as? IOError else { return false }
        return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode)
    }

    public func status(of request: VendRequest) async -> VendOutcome? {
        guard let reference = request.reference.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) else { return nil }
        var http = HTTPClientRequest(url: baseURL + "/status?reference=" + reference)
        http.method = .GET
        http.headers.addTraceContext()
        guard let response = try? await client.execute(http, timeout: TimeAmount(timeout)) else { return nil }
        if response.status == .notFound {
            return .retryable(Answer.vendorNeverReceived.filled(request.reference))
        }
        guard response.status == .ok, let answer = await Self.decode(response, as: VendWireAnswer.self),
            answer.reference == request.reference
        else { return nil }
        return answer.outcome
    }

    public func validateAccount(_ request: AccountValidationRequest) async -> AccountValidationOutcome {
        guard let http = post("/validateAccount", json: request) else {
            return .refused(Answer.invalidDataFormat.coded)
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, timeout: TimeAmount(timeout))
        } catch where Self.neverConnected(error) {
            return .refused(Answer.cannotConnectToVendor.coded)
        } catch {
            return .refused(Answer.vendorTimeout.coded)
        }
        guard response.status == .ok, let answer = await Self.decode(response, as: AccountValidationWireAnswer.self) else {
            return .refused(Answer.vendorCommunicationError.coded)
        }
        return answer.outcome
    }
}
