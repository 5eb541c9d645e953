import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Postgres
import SecurityService
import TestSupport
import Testing
import TransactCrypto

@Suite("Bearer token and API key: every refusal")
struct TokenVerifierTests {
    /// Sends the credentials to a protected route and checks the exact answer of API.md §0.
    func expectRefusal(
        _ expected: TokenVerifier.Failure, _ fixture: SecurityFixture, authorization: String?, apiKey: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        var fields: HTTPFields = [:]
        if let authorization { fields[.authorization] = authorization }
        if let apiKey { fields[HTTPField.Name("X-API-Key")!] = apiKey }
        let headers = fields
        let (error, description, challenge) = switch expected {
        case .invalidToken(let reason): ("invalid_token", reason, #"Bearer error="invalid_token""#)
        case .invalidAPIKey(let reason): ("invalid_api_key", reason, #"APIKey realm="transact""#)
        }
        do {
            try await Application(router: fixture.router()).test(.router) { client in
                try await client.execute(uri: "/auth/check", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, sourceLocation: sourceLocation)
                    #expect(response.headers[.wwwAuthenticate] == challenge, sourceLocation: sourceLocation)
                    let body = try JSONEncoder().encode(["error": error, "error_description": description])
                    let expectedBody = try JSONSerialization.jsonObject(with: body) as? [String: String]
                    let actualBody = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: String]
                    #expect(actualBody == expectedBody, sourceLocation: sourceLocation)
                }
            }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a valid token with its client's API key authenticates; everything else is refused")
    func refusals() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            try await fixture.addClient(300, secret: "other-secret", apiKey: "other-key")
            let grant = try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret")
            let token = grant.accessToken
            let client = try await fixture.verifier.authenticate(authorization: "Bearer \(token)", apiKey: "demo-key")
            #expect(client.clientId == 200 && client.role == .client)
            // Cached: the second use verifies no signature, but still checks the key and the client.
            _ = try await fixture.verifier.authenticate(authorization: "bearer \(token)", apiKey: "demo-key")

            await expectRefusal(.invalidToken("missing bearer token"), fixture, authorization: nil, apiKey: "demo-key")
            await expectRefusal(.invalidToken("missing bearer token"), fixture, authorization: "Basic abc", apiKey: "demo-key")
            await expectRefusal(.invalidToken("token is malformed"), fixture, authorization: "Bearer garbage", apiKey: "demo-key")
            await expectRefusal(.invalidAPIKey("missing X-API-Key"), fixture, authorization: "Bearer \(token)", apiKey: nil)
            await expectRefusal(
                .invalidAPIKey("X-API-Key does not belong to this client"), fixture, authorization: "Bearer \(token)",
                apiKey: "wrong-key")
            // Another client's key with one's own token.
            await expectRefusal(
                .invalidAPIKey("X-API-Key does not belong to this client"), fixture, authorization: "Bearer \(token)",
                apiKey: "other-key")

            let now = Int64(Date().timeIntervalSince1970)
            let version = try await fixture.secretVersion(of: 200)
            func claims(iss: String = "transact", iat: Int64? = nil, nbf: Int64? = nil, exp: Int64? = nil, sv: Int64? = nil) -> AccessTokenClaims {
                AccessTokenClaims(
                    iss: iss, sub: "200", iat: iat ?? now, nbf: nbf ?? now, exp: exp ?? now + 300, jti: UUID().uuidString,
                    role: "client", scope: "transact lookup", vendorId: nil, secretVersion: sv ?? version)
            }
            await expectRefusal(
                .invalidToken("token expired"), fixture,
                authorization: "Bearer \(try await fixture.sign(claims(iat: now - 400, nbf: now - 400, exp: now - 60)))", apiKey: "demo-key")
            await expectRefusal(
                .invalidToken("token not yet valid"), fixture,
                authorization: "Bearer \(try await fixture.sign(claims(nbf: now + 600, exp: now + 900)))", apiKey: "demo-key")
            await expectRefusal(
                .invalidToken("token issuer is not this service"), fixture,
                authorization: "Bearer \(try await fixture.sign(claims(iss: "someone-else")))", apiKey: "demo-key")

            // alg none, and HS256 keyed with the public key.
            let parts = token.split(separator: ".").map(String.init)
            let noneHeader = Base64URL.encode(Array(#"{"alg":"none","kid":"x"}"#.utf8))
            await expectRefusal(
                .invalidToken("algorithm none is not accepted"), fixture, authorization: "Bearer \(noneHeader).\(parts[1]).",
                apiKey: "demo-key")
            let kid = try JSONWebSignature.keyID(of: token)
            let hsHeader = Base64URL.encode(Array(#"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#.utf8))
            let publicKey = try #require(try await fixture.keys.verifyingKey(kid: kid)).rawRepresentation
            let hsSignature = Base64URL.encode(HMACSHA256.authenticationCode(key: publicKey, message: Array("\(hsHeader).\(parts[1])".utf8)))
            await expectRefusal(
                .invalidToken("algorithm HS256 is not accepted"), fixture,
                authorization: "Bearer \(hsHeader).\(parts[1]).\(hsSignature)", apiKey: "demo-key")
            // Unknown kid; tampered claims.
            let stranger = try JSONWebSignature.sign(payload: Array(parts[1].utf8), keyID: "nobody", key: try Ed25519PrivateKey())
            await expectRefusal(.invalidToken("signing key nobody is unknown"), fixture, authorization: "Bearer \(stranger)", apiKey: "demo-key")
            var tamperedClaims = try JSONDecoder().decode(AccessTokenClaims.self, from: Data(Base64URL.decode(parts[1])!))
            tamperedClaims = AccessTokenClaims(
                iss: tamperedClaims.iss, sub: "300", iat: tamperedClaims.iat, nbf: tamperedClaims.nbf, exp: tamperedClaims.exp,
                jti: tamperedClaims.jti, role: tamperedClaims.role, scope: tamperedClaims.scope, vendorId: nil,
                secretVersion: tamperedClaims.secretVersion)
            let tamperedPayload = Base64URL.encode(try JSONEncoder().encode(tamperedClaims))
            await expectRefusal(
                .invalidToken("signature does not verify"), fixture, authorization: "Bearer \(parts[0]).\(tamperedPayload).\(parts[2])",
                apiKey: "other-key")
        }
    }

    @Test("a disabled client's token, and a token issued before a secret rotation, are refused")
    func revocation() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            let before = try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret")
            _ = try await fixture.verifier.authenticate(authorization: "Bearer \(before.accessToken)", apiKey: "demo-key")

            try await db.query("""
                UPDATE catalogue.clients SET secret_hash = \(try ClientSecretHash.make(secret: "new-secret", parameters: SecurityFixture.cheapHashing)),
                    secret_rotated_at = now() WHERE client_id = 200
                """)
            await expectRefusal(.invalidToken("token revoked"), fixture, authorization: "Bearer \(before.accessToken)", apiKey: "demo-key")
            await #expect(throws: TokenIssuer.Refusal.invalidSecret) {
                try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret")
            }
            let after = try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "new-secret")
            _ = try await fixture.verifier.authenticate(authorization: "Bearer \(after.accessToken)", apiKey: "demo-key")

            try await db.query("UPDATE catalogue.clients SET status = 'disabled' WHERE client_id = 200")
            await expectRefusal(.invalidToken("client disabled"), fixture, authorization: "Bearer \(after.accessToken)", apiKey: "demo-key")
            await #expect(throws: TokenIssuer.Refusal.unknownClient) {
                try await fixture.issuer.issue(grantType: "client_credentials", clientId: "200", clientSecret: "new-secret")
            }
        }
    }
}
