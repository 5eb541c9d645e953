public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
public import NIOHTTP1
import Observability
import TransactCrypto

/// How the service calls a party over HTTP (a bank, a client's callback URL, a messaging gateway): its auth (none,
/// basic, bearer), a `Signature` header when it requires one (HMAC-SHA256 over the exact bytes sent, base64,
/// API.md §1.4), a timeout per call and a bound on the answer's size.
public struct SignedHTTPTransport: Sendable {
    public enum Auth: Sendable, Equatable {
        case none
        case basic(username: String, password: String)
        case bearer(token: String)
    }

    let auth: Auth
    /// The Signature secret when the receiver requires signed requests.
    let signatureSecret: [UInt8]?
    let client: HTTPClient
    /// Answers larger than this are unreadable.
    static let maxAnswerBytes = 64 * 1_024

    public init(auth: Auth, signatureSecret: [UInt8]?, client: HTTPClient = .shared) {
        self.auth = auth
        self.signatureSecret = signatureSecret
        self.client = client
    }

    /// POSTs `body` as JSON; the status and the answer's bytes.
    public func post(_ body: [UInt8], to url: String, timeout: Duration) async throws -> (HTTPResponseStatus, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        addAuth(to: &request)
        if let signatureSecret {
            request.headers.add(name: "Signature", value: RequestSignature.header(signing: body, secret: signatureSecret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        let answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
        return (response.status, Data(buffer: answer))
    }

    public func get(_ url: String, timeout: Duration) async throws -> (HTTPResponseStatus, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        addAuth(to: &request)
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        let answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
        return (response.status, Data(buffer: answer))
    }

    /// Delivers a body that the receiver acknowledges with any 2xx.
    public func deliver(_ body: [UInt8], to url: String, timeout: Duration) async -> Delivery {
        do {
            let (status, _) = try await post(body, to: url, timeout: timeout)
            return Delivery(acknowledged: (200..<300).contains(status.code), detail: "HTTP \(status.code)")
        } catch {
            return Delivery(acknowledged: false, detail: "no answer: \(error)")
        }
    }

    /// Its credentials and the trace context of the call (`traceparent`: OutboundCall's span).
    private func addAuth(to request: inout HTTPClientRequest) {
        request.headers.addTraceContext()
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
