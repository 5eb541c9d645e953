import Crypto
import Foundation
import Postgres
import SecurityService
import TestSupport
import Testing
import TransactCrypto

/// Our tokens checked by another implementation (swift-crypto's Ed25519, BoringSSL underneath), and the reverse.
@Suite("Tokens against an independent Ed25519 implementation")
struct IndependentVerificationTests {
    @Test("swift-crypto verifies a token the service issued, with the key the JWKS publishes")
    func serviceTokenVerifiesElsewhere() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "demo-secret", apiKey: "demo-key")
            let token = try await fixture.token(200, "demo-secret")
            let published = try #require(try await fixture.keys.publishedKeys().first)
            let parts = token.split(separator: ".").map(String.init)
            #expect(parts.count == 3)
            let independentKey = try Curve25519.Signing.PublicKey(rawRepresentation: published.publicKey)
            let signature = try #require(Base64URL.decode(parts[2]))
            #expect(independentKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
            #expect(!independentKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])x".utf8)))
            let header = try JSONSerialization.jsonObject(with: Data(try #require(Base64URL.decode(parts[0])))) as? [String: String]
            #expect(header?["alg"] == "EdDSA" && header?["kid"] == published.kid)
        }
    }

    @Test("a token signed by swift-crypto verifies with our JWS code, and one byte changed does not")
    func foreignTokenVerifiesHere() throws {
        let foreign = Curve25519.Signing.PrivateKey()
        let header = Base64URL.encode(Array(#"{"alg":"EdDSA","kid":"ext","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"sub":"200"}"#.utf8))
        let signature = try foreign.signature(for: Data("\(header).\(payload)".utf8))
        let token = "\(header).\(payload).\(Base64URL.encode(signature))"
        let ours = try Ed25519PublicKey(rawRepresentation: Array(foreign.publicKey.rawRepresentation))
        let (_, verified) = try JSONWebSignature.verify(token) { $0 == "ext" ? ours : nil }
        #expect(verified == Array(#"{"sub":"200"}"#.utf8))
        var altered = Array(signature)
        altered[10] ^= 1
        #expect(throws: JSONWebSignature.VerificationError.badSignature) {
            try JSONWebSignature.verify("\(header).\(payload).\(Base64URL.encode(altered))") { $0 == "ext" ? ours : nil }
        }
    }
}
