import Foundation
import Testing
import TransactCrypto

@Suite("Ed25519, JWS, AES-256-GCM and scrypt on OpenSSL")
struct SigningAndEncryptionTests {
    func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }

    @Test("Ed25519 matches RFC 8032 §7.1 tests 1 and 2", arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func ed25519Vectors(secret: String, publicKey: String, message: String, signature: String) throws {
        let key = try Ed25519PrivateKey(rawRepresentation: bytes(secret))
        #expect(Hex.encode(key.publicKey.rawRepresentation) == publicKey)
        let made = try key.signature(for: bytes(message))
        #expect(Hex.encode(made) == signature)
        #expect(key.publicKey.isValidSignature(made, for: bytes(message)))
        var altered = made
        altered[0] ^= 1
        #expect(!key.publicKey.isValidSignature(altered, for: bytes(message)))
        #expect(!key.publicKey.isValidSignature(made, for: bytes(message) + [0]))
        #expect(try Ed25519PrivateKey(rawRepresentation: key.rawRepresentation).publicKey == key.publicKey)
    }

    @Test("AES-256-GCM matches the GCM specification's test cases 13 and 14, and refuses tampering")
    func aesGCM() throws {
        let key = [UInt8](repeating: 0, count: 32)
        let nonce = [UInt8](repeating: 0, count: 12)
        let empty = try AES256GCM.seal([], key: key, nonce: nonce)
        #expect(Hex.encode(empty.tag) == "530f8afbc74536b9a963b4f1c4cb738b")
        let block = try AES256GCM.seal([UInt8](repeating: 0, count: 16), key: key, nonce: nonce)
        #expect(Hex.encode(block.ciphertext) == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(Hex.encode(block.tag) == "d0d1c8a799996bf0265b98b5d48ab919")

        let secret = Array("signing key seed".utf8)
        let masterKey = SecureRandom.bytes(count: 32)
        let sealed = try AES256GCM.seal(secret, key: masterKey, authenticating: Array("kid-1".utf8))
        #expect(try AES256GCM.open(AES256GCM.SealedBox(combined: sealed.combined), key: masterKey, authenticating: Array("kid-1".utf8)) == secret)
        #expect(throws: CryptoError.authenticationFailed) {
            try AES256GCM.open(sealed, key: masterKey, authenticating: Array("kid-2".utf8))
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AES256GCM.open(sealed, key: SecureRandom.bytes(count: 32), authenticating: Array("kid-1".utf8))
        }
        var tampered = sealed.combined
        tampered[13] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) {
            try AES256GCM.open(AES256GCM.SealedBox(combined: tampered), key: masterKey, authenticating: Array("kid-1".utf8))
        }
        #expect(sealed.nonce != (try AES256GCM.seal(secret, key: masterKey)).nonce)
    }

    @Test("scrypt matches RFC 7914 §12")
    func scrypt() throws {
        let empty = try Scrypt(logN: 4, blockSize: 1, parallelism: 1).deriveKey(password: [], salt: [], length: 64)
        #expect(Hex.encode(empty) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        let password = try Scrypt(logN: 10, blockSize: 8, parallelism: 16)
            .deriveKey(password: Array("password".utf8), salt: Array("NaCl".utf8), length: 64)
        #expect(Hex.encode(password) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test("base64url is unpadded and canonical")
    func base64URL() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("-_9") == nil)  // stray bits
        #expect(Base64URL.decode("-_8=") == nil)
        #expect(Base64URL.decode("a+b/") == nil)
        #expect(Base64URL.decode("") == [])
    }

    @Test("JWS: signs and verifies EdDSA; refuses none, HS256 with the public key, unknown kid, tampering, garbage")
    func jws() throws {
        let key = try Ed25519PrivateKey()
        let other = try Ed25519PrivateKey()
        let payload = Array(#"{"sub":"200","exp":1900000000}"#.utf8)
        let token = try JSONWebSignature.sign(payload: payload, keyID: "k1", key: key)
        let keys: (String) -> Ed25519PublicKey? = { $0 == "k1" ? key.publicKey : nil }
        let (header, verified) = try JSONWebSignature.verify(token, keys: keys)
        #expect(header == .init(alg: "EdDSA", kid: "k1", typ: "JWT"))
        #expect(verified == payload)

        let parts = token.split(separator: ".").map(String.init)
        func forged(header: String, payload: String = parts[1], signature: String = parts[2]) -> String {
            Base64URL.encode(Array(header.utf8)) + "." + payload + "." + signature
        }
        #expect(throws: JSONWebSignature.VerificationError.unsupportedAlgorithm("none")) {
            try JSONWebSignature.verify(forged(header: #"{"alg":"none","kid":"k1"}"#, signature: ""), keys: keys)
        }
        // HS256 keyed with the public key: the classic algorithm-confusion forgery.
        let hsHeader = Base64URL.encode(Array(#"{"alg":"HS256","kid":"k1","typ":"JWT"}"#.utf8))
        let hsInput = hsHeader + "." + parts[1]
        let hsSignature = Base64URL.encode(HMACSHA256.authenticationCode(key: key.publicKey.rawRepresentation, message: Array(hsInput.utf8)))
        #expect(throws: JSONWebSignature.VerificationError.unsupportedAlgorithm("HS256")) {
            try JSONWebSignature.verify(hsInput + "." + hsSignature, keys: keys)
        }
        #expect(throws: JSONWebSignature.VerificationError.unknownKey("k2")) {
            try JSONWebSignature.verify(try JSONWebSignature.sign(payload: payload, keyID: "k2", key: other), keys: keys)
        }
        // Signed by another key under a known kid.
        #expect(throws: JSONWebSignature.VerificationError.badSignature) {
            try JSONWebSignature.verify(try JSONWebSignature.sign(payload: payload, keyID: "k1", key: other), keys: keys)
        }
        let tamperedPayload = Base64URL.encode(Array(#"{"sub":"201","exp":1900000000}"#.utf8))
        #expect(throws: JSONWebSignature.VerificationError.badSignature) {
            try JSONWebSignature.verify(parts[0] + "." + tamperedPayload + "." + parts[2], keys: keys)
        }
        for garbage in ["", "a.b", "a.b.c.d", parts[0] + "." + parts[1] + ".", "x" + token, String(repeating: "a", count: 9_000)] {
            #expect(throws: JSONWebSignature.VerificationError.self) { try JSONWebSignature.verify(garbage, keys: keys) }
        }
    }
}
