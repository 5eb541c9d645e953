import Foundation
public import TransactCrypto

/// A payment request's link, `<publicURL>/pay/<token>`. The token is an HMAC-SHA256 of the request's reference under
/// a key derived from the master key: unguessable (256 bits), the same each time it is asked for (a repeat of the
/// request answers the same link), and never stored — the database keeps its SHA-256 to find the request by.
public struct PaymentLinks: Sendable {
    private let key: [UInt8]
    /// Where customers reach the service, without a trailing slash (`chat2Pay.publicUrl`).
    let publicURL: String

    public init(masterKey: MasterKey, publicURL: String) {
        key = HMACSHA256.authenticationCode(key: masterKey.bytes, message: Array("transact chat-2-pay link tokens".utf8))
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// A token's length: 32 bytes in base64url.
    static let tokenLength = 43

    func token(for reference: UUID) -> String {
        Base64URL.encode(HMACSHA256.authenticationCode(key: key, message: Array(reference.uuidString.lowercased().utf8)))
    }

    func link(for reference: UUID) -> String { publicURL + "/pay/" + token(for: reference) }

    /// A receipt's token: another HMAC of the reference, so that a receipt never opens the payment page.
    func receiptToken(for reference: UUID) -> String {
        Base64URL.encode(HMACSHA256.authenticationCode(key: key, message: Array("receipt:\(reference.uuidString.lowercased())".utf8)))
    }

    func receiptLink(for reference: UUID) -> String { publicURL + "/receipt/" + receiptToken(for: reference) }

    /// What the database finds a request by.
    static func hash(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }

    /// Whether `text` could be a token at all (before it is looked up).
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == tokenLength && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
