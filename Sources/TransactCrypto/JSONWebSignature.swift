import Foundation

/// JWS compact serialisation (RFC 7515) with EdDSA over Ed25519 (RFC 8037): the form of the service's access
/// tokens. Verification is strict: exactly three parts, canonical base64url, `alg` exactly `EdDSA` (so `none`
/// and algorithm switching are refused), a `kid` that names a known key, and a valid signature. What the claims
/// mean (expiry, issuer, revocation) is for the caller to check.
public enum JSONWebSignature {
    public static let algorithm = "EdDSA"
    /// Tokens longer than this are refused before any decoding.
    public static let maxTokenLength = 8_192

    public struct Header: Codable, Sendable, Equatable {
        public let alg: String
        public let kid: String
        public let typ: String?

        public init(alg: String, kid: String, typ: String?) {
            self.alg = alg
            self.kid = kid
            self.typ = typ
        }
    }

    public enum VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case unsupportedAlgorithm(String)
        case unknownKey(String)
        case badSignature

        public var description: String {
            switch self {
            case .malformed: "token is malformed"
            case .unsupportedAlgorithm(let alg): "algorithm \(alg) is not accepted"
            case .unknownKey(let kid): "signing key \(kid) is unknown"
            case .badSignature: "signature does not verify"
            }
        }
    }

    /// Signs `payload` (the claims' JSON bytes) with `key`, naming it `keyID`.
    public static func sign(payload: [UInt8], keyID: String, key: Ed25519PrivateKey) throws(CryptoError) -> String {
        let header = Header(alg: algorithm, kid: keyID, typ: "JWT")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A struct of three strings always encodes.
        let headerJSON = (try? encoder.encode(header)) ?? Data()
        let signingInput = Base64URL.encode(headerJSON) + "." + Base64URL.encode(payload)
        let signature = try key.signature(for: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The `kid` a token names, read without verifying anything (to find the key to verify it with).
    public static func keyID(of token: String) throws(VerificationError) -> String {
        guard token.utf8.count <= maxTokenLength, let headerPart = token.split(separator: ".", maxSplits: 1).first else {
            throw .malformed
        }
        return try header(headerPart).kid
    }

    /// The header of a token, refused unless it names exactly the accepted algorithm.
    private static func header(_ part: Substring) throws(VerificationError) -> Header {
        guard let bytes = Base64URL.decode(part), let header = try? JSONDecoder().decode(Header.self, from: Data(bytes)) else {
            throw .malformed
        }
        guard header.alg == algorithm else { throw .unsupportedAlgorithm(String(header.alg.prefix(16))) }
        return header
    }

    /// Verifies `token` and returns its header and payload bytes.
    public static func verify(_ token: String, keys: (String) -> Ed25519PublicKey?) throws(VerificationError)
        -> (header: Header, payload: [UInt8])
    {
        guard token.utf8.count <= maxTokenLength else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw .malformed
        }
        let header = try header(parts[0])
        guard let key = keys(header.kid) else { throw .unknownKey(String(header.kid.prefix(64))) }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.isValidSignature(signature, for: signingInput) else { throw .badSignature }
        return (header, payload)
    }
}
