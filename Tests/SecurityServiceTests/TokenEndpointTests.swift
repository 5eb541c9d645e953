import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import SecurityService
import TestSupport
import Testing
import TransactCrypto

@Suite("POST /token and the JWKS")
struct TokenEndpointTests {
    func form(_ fields: String) -> ByteBuffer { ByteBuffer(string: fields) }
    let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    struct TokenBody: Decodable {
        let access_token: String
        let token_type: String
        let expires_in: Int
        let scope: String
    }

    @Test("client credentials in the form or as HTTP Basic give a bearer token that the JWKS verifies")
    func issues() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            try await Application(router: fixture.router()).test(.router) { client in
                var token = ""
                try await client.execute(
                    uri: "/token", method: .post, headers: formHeaders,
                    body: form("grant_type=client_credentials&client_id=200&client_secret=demo-secret")
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "no-store")
                    let text = String(buffer: response.body)
                    #expect(text.contains(#""not-before-policy":0"#))
                    let body = try JSONDecoder().decode(TokenBody.self, from: Data(text.utf8))
                    #expect(body.token_type == "bearer" && body.expires_in == 300 && body.scope == "transact lookup")
                    token = body.access_token
                }
                let basic = Data("200:demo-secret".utf8).base64EncodedString()
                try await client.execute(
                    uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Basic \(basic)"],
                    body: form("grant_type=client_credentials")
                ) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/.well-known/jwks.json", method: .get) { response in
                    #expect(response.status == .ok)
                    struct JWKS: Decodable {
                        struct Key: Decodable { let kty, crv, kid, x, alg: String }
                        let keys: [Key]
                    }
                    let set = try JSONDecoder().decode(JWKS.self, from: Data(String(buffer: response.body).utf8))
                    let key = try #require(set.keys.first)
                    #expect(key.kty == "OKP" && key.crv == "Ed25519" && key.alg == "EdDSA")
                    let publicKey = try Ed25519PublicKey(rawRepresentation: try #require(Base64URL.decode(key.x)))
                    let (header, payload) = try JSONWebSignature.verify(token) { $0 == key.kid ? publicKey : nil }
                    #expect(header.kid == key.kid)
                    let claims = try JSONDecoder().decode(AccessTokenClaims.self, from: Data(payload))
                    #expect(claims.sub == "200" && claims.iss == "transact" && claims.role == "client")
                    #expect(claims.exp - claims.iat == 300)
                }
            }
        }
    }

    @Test("refusals: wrong secret, unknown or disabled client, wrong grant type, missing fields", arguments: [
        ("grant_type=client_credentials&client_id=200&client_secret=wrong", "invalid_client", "Invalid client secret"),
        ("grant_type=client_credentials&client_id=404&client_secret=x", "invalid_client",
         "UNKNOWN_CLIENT: Client was not identified by any client authenticator"),
        ("grant_type=client_credentials&client_id=201&client_secret=disabled-secret", "invalid_client",
         "UNKNOWN_CLIENT: Client was not identified by any client authenticator"),
        ("grant_type=password&client_id=200&client_secret=demo-secret", "unsupported_grant_type", nil),
        ("client_id=200&client_secret=demo-secret", "invalid_request", nil),
        ("grant_type=client_credentials&client_secret=demo-secret", "invalid_client", nil),
        ("grant_type=client_credentials&client_id=200", "invalid_client", "Invalid client secret"),
        ("grant_type=client_credentials&client_id=%zz", "invalid_request", nil),
    ])
    func refusals(body: String, error: String, description: String?) async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            try await fixture.addClient(201, secret: "disabled-secret", apiKey: "disabled-key", status: "disabled")
            try await Application(router: fixture.router()).test(.router) { client in
                try await client.execute(uri: "/token", method: .post, headers: formHeaders, body: form(body)) { response in
                    #expect(response.status == .badRequest)
                    struct OAuthError: Decodable { let error: String; let error_description: String }
                    let decoded = try JSONDecoder().decode(OAuthError.self, from: Data(String(buffer: response.body).utf8))
                    #expect(decoded.error == error)
                    if let description { #expect(decoded.error_description == description) }
                }
            }
        }
    }

    @Test("repeated bad secrets for one client id are throttled with 429 and Retry-After")
    func throttling() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            try await fixture.addClient(202, secret: "other-secret", apiKey: "other-key")
            try await Application(router: fixture.router()).test(.router) { client in
                for _ in 0..<5 {
                    try await client.execute(
                        uri: "/token", method: .post, headers: formHeaders,
                        body: form("grant_type=client_credentials&client_id=200&client_secret=guess")
                    ) { #expect($0.status == .badRequest) }
                }
                // Even the right secret waits now.
                try await client.execute(
                    uri: "/token", method: .post, headers: formHeaders,
                    body: form("grant_type=client_credentials&client_id=200&client_secret=demo-secret")
                ) { response in
                    #expect(response.status == .tooManyRequests)
                    let retryAfter = try #require(response.headers[.retryAfter].flatMap(Int.init))
                    #expect((1...61).contains(retryAfter))
                }
                // Another client is not affected.
                try await client.execute(
                    uri: "/token", method: .post, headers: formHeaders,
                    body: form("grant_type=client_credentials&client_id=202&client_secret=other-secret")
                ) { #expect($0.status == .ok) }
            }
        }
    }

    @Test("a rotated key keeps verifying the tokens it signed; new tokens use the new key")
    func keyRotation() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            let old = try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret")
            let oldKID = try JSONWebSignature.keyID(of: old.accessToken)
            let newKID = try await fixture.keys.rotate()
            #expect(newKID != oldKID)
            let fresh = try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret")
            #expect(try JSONWebSignature.keyID(of: fresh.accessToken) == newKID)
            for token in [old.accessToken, fresh.accessToken] {
                let client = try await fixture.verifier.authenticate(authorization: "Bearer \(token)", apiKey: "demo-key")
                #expect(client.clientId == 200)
            }
            #expect(Set(try await fixture.keys.publishedKeys().map(\.kid)) == [oldKID, newKID])
            // Another process's store (same database) signs with the new key and verifies both.
            let otherProcess = SecurityFixture(db: db)
            #expect(try await otherProcess.keys.signingKey().kid == newKID)
            _ = try await otherProcess.verifier.authenticate(authorization: "Bearer \(old.accessToken)", apiKey: "demo-key")
            // A rotation by the other process is followed by this one's issuer.
            let thirdKID = try await otherProcess.keys.rotate()
            let latest = try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret")
            #expect(try JSONWebSignature.keyID(of: latest.accessToken) == thirdKID)
        }
    }
}
