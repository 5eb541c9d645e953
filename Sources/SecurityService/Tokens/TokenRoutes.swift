import Foundation
public import Hummingbird
import HTTPTypes
public import ServiceHTTP
import TransactCrypto

/// `POST /token` and `GET /.well-known/jwks.json` (API.md §1.1, §1.2).
public struct TokenRoutes: Sendable {
    let issuer: TokenIssuer
    let keys: SigningKeyStore

    public init(issuer: TokenIssuer, keys: SigningKeyStore) {
        self.issuer = issuer
        self.keys = keys
    }

    /// The most a token request body may hold.
    static let maxBodyBytes = 64 * 1_024

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post("token") { request, _ in
            try await token(request)
        }
        group.get(".well-known/jwks.json") { _, _ in
            try await jwks()
        }
    }

    struct TokenResponse: Encodable {
        let accessToken: String
        let tokenType = "bearer"
        let expiresIn: Int
        let notBeforePolicy = 0
        let scope: String

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
            case notBeforePolicy = "not-before-policy", scope
        }
    }

    func token(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        guard let fields = FormURLEncoded.fields(String(decoding: body.readableBytesView, as: UTF8.self)) else {
            return Self.failure(.badRequest, "invalid_request", "The body is not form encoded")
        }
        var clientId = fields["client_id"]
        var clientSecret = fields["client_secret"]
        if let basic = Self.basicCredentials(request.headers[.authorization]) {
            (clientId, clientSecret) = basic
        }
        do {
            let grant = try await issuer.issue(grantType: fields["grant_type"], clientId: clientId, clientSecret: clientSecret)
            var response = JSONResponse.make(
                TokenResponse(accessToken: grant.accessToken, expiresIn: grant.expiresIn, scope: grant.scope), status: .ok)
            response.headers[.cacheControl] = "no-store"
            response.headers[HTTPField.Name("Pragma")!] = "no-cache"
            return response
        } catch let refusal as TokenIssuer.Refusal {
            switch refusal {
            case .invalidRequest(let reason):
                return Self.failure(.badRequest, "invalid_request", reason)
            case .unsupportedGrantType:
                return Self.failure(.badRequest, "unsupported_grant_type", "Unsupported grant type; use client_credentials")
            case .unknownClient:
                return Self.failure(
                    .badRequest, "invalid_client", "UNKNOWN_CLIENT: Client was not identified by any client authenticator")
            case .invalidSecret:
                return Self.failure(.badRequest, "invalid_client", "Invalid client secret")
            case .throttled(let seconds):
                var response = Self.failure(.tooManyRequests, "too_many_requests", "Too many failed attempts; retry later")
                response.headers[.retryAfter] = String(seconds)
                return response
            }
        }
    }

    static func failure(_ status: HTTPResponse.Status, _ error: String, _ description: String) -> Response {
        var response = JSONResponse.make(OAuthStyleError(error: error, errorDescription: description), status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `Basic base64(client_id:client_secret)`, each part form-encoded (RFC 6749 §2.3.1).
    static func basicCredentials(_ header: String?) -> (String?, String?)? {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic ",
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (FormURLEncoded.decode(parts[0]), FormURLEncoded.decode(parts[1]))
    }

    struct JWKSet: Encodable {
        struct Key: Encodable {
            let kty = "OKP"
            let crv = "Ed25519"
            let kid: String
            let x: String
            let use = "sig"
            let alg = JSONWebSignature.algorithm
        }

        let keys: [Key]
    }

    func jwks() async throws -> Response {
        let keys = try await keys.publishedKeys().map { JWKSet.Key(kid: $0.kid, x: Base64URL.encode($0.publicKey)) }
        var response = JSONResponse.make(JWKSet(keys: keys), status: .ok)
        response.headers[.cacheControl] = "public, max-age=60"
        return response
    }
}
