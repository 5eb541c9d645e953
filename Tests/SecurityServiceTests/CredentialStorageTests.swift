import SecurityService
import Testing
import TransactCrypto

@Suite("Credential storage: scrypt secrets, SHA-256 API keys, sealed secrets")
struct CredentialStorageTests {
    let cheap = Scrypt(logN: 8, blockSize: 8, parallelism: 1)

    @Test("a client secret hash verifies its secret only, and carries its parameters")
    func secretHash() throws {
        let encoded = try ClientSecretHash.make(secret: "s3cret", parameters: cheap)
        #expect(encoded.hasPrefix("scrypt$8$8$1$"))
        #expect(ClientSecretHash.verify(secret: "s3cret", against: encoded))
        #expect(!ClientSecretHash.verify(secret: "s3creT", against: encoded))
        #expect(!ClientSecretHash.verify(secret: "", against: encoded))
        // Two hashes of one secret differ (random salt) and both verify.
        let other = try ClientSecretHash.make(secret: "s3cret", parameters: cheap)
        #expect(other != encoded)
        #expect(ClientSecretHash.verify(secret: "s3cret", against: other))
        for malformed in ["", "scrypt$8$8$1$abc", "bcrypt$8$8$1$AAAA$AAAA", "scrypt$99$8$1$AAAA$AAAA", encoded + "x"] {
            #expect(!ClientSecretHash.verify(secret: "s3cret", against: malformed))
        }
        #expect(!ClientSecretHash.verify(secret: String(repeating: "a", count: 10_000), against: encoded))
        #expect(Scrypt.interactive == Scrypt(logN: 15, blockSize: 8, parallelism: 1))
    }

    @Test("API keys are random, 256-bit, and stored as SHA-256 hex")
    func apiKeys() {
        let key = APIKey.generate()
        #expect(key.count == 43)
        #expect(key != APIKey.generate())
        #expect(APIKey.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("sealed secrets open only with the same master key and purpose")
    func sealing() throws {
        let sealer = SecretSealer(masterKey: MasterKey(hex: String(repeating: "01", count: 32))!)
        let sealed = try sealer.seal("bank-password", purpose: "funding-source:3:auth")
        #expect(!sealed.contains("bank-password"))
        #expect(String(decoding: try sealer.open(sealed, purpose: "funding-source:3:auth"), as: UTF8.self) == "bank-password")
        #expect(throws: CryptoError.authenticationFailed) { try sealer.open(sealed, purpose: "funding-source:4:auth") }
        let otherKey = SecretSealer(masterKey: MasterKey(hex: String(repeating: "02", count: 32))!)
        #expect(throws: CryptoError.authenticationFailed) { try otherKey.open(sealed, purpose: "funding-source:3:auth") }
        #expect(throws: CryptoError.authenticationFailed) { try sealer.open("not base64url!", purpose: "x") }
        #expect(MasterKey(hex: "zz") == nil)
        #expect("\(MasterKey(hex: String(repeating: "01", count: 32))!)" == "MasterKey(redacted)")
    }
}
