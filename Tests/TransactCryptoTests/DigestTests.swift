import Foundation
import Testing
import TransactCrypto

@Suite("SHA-256, HMAC-SHA256, random and constant-time comparison on OpenSSL")
struct DigestTests {
    @Test("SHA-256 matches the FIPS 180-2 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(Hex.encode(SHA256.hash(input)) == expected)
    }

    @Test("HMAC-SHA256 matches RFC 4231 test cases 1, 2 and 6", arguments: [
        (Array(repeating: UInt8(0x0b), count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Array(repeating: UInt8(0xaa), count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func hmac(key: [UInt8], message: [UInt8], expected: String) {
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: key, message: message)) == expected)
    }

    @Test("the Signature test vector of API.md §1.4")
    func signatureVector() {
        let body = #"{"clientId":200,"clientTxnRef":"seo8w3-3wsf8cffdd34-f58l","purchaseAmount":10000}"#
        let code = HMACSHA256.authenticationCode(key: Array("0123456789abcdef0123456789abcdef".utf8), message: Array(body.utf8))
        #expect(Data(code).base64EncodedString() == "A5pTBQPa4PoQNhzync6E+k1rZ+JJWaNCHQycc5KycP8=")
        // One changed byte (CRLF instead of LF semantics) changes the value.
        let altered = HMACSHA256.authenticationCode(
            key: Array("0123456789abcdef0123456789abcdef".utf8), message: Array((body + "\r\n").utf8))
        #expect(altered != code)
    }

    @Test("empty keys and messages are handled")
    func emptyInputs() {
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: [], message: [])) ==
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("random bytes differ between calls and have the requested length")
    func random() {
        let first = SecureRandom.bytes(count: 32)
        let second = SecureRandom.bytes(count: 32)
        #expect(first.count == 32)
        #expect(first != second)
        #expect(SecureRandom.bytes(count: 0).isEmpty)
    }

    @Test("constant-time comparison")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test("hex round trip and refusals")
    func hex() {
        #expect(Hex.decode("00ff10Ab") == [0x00, 0xff, 0x10, 0xab])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.encode([0x00, 0xff]) == "00ff")
    }
}
