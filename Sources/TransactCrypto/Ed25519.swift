import COpenSSL

/// An Ed25519 key pair (RFC 8032) held by OpenSSL. The private key never leaves this type except through
/// `privateKeyBytes`, for storage under encryption.
public final class Ed25519PrivateKey: @unchecked Sendable {
    // Immutable after init; OpenSSL's EVP_PKEY is safe for concurrent signing.
    private let key: OpaquePointer
    public let publicKey: Ed25519PublicKey

    /// A new random key.
    public convenience init() throws(CryptoError) {
        try self.init(rawRepresentation: SecureRandom.bytes(count: 32))
    }

    /// The 32-byte seed of RFC 8032.
    public init(rawRepresentation seed: [UInt8]) throws(CryptoError) {
        guard seed.count == 32 else { throw .invalidKey("an Ed25519 private key is 32 bytes") }
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, 32) else {
            throw .openSSL("Ed25519 private key")
        }
        self.key = key
        var publicBytes = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &publicBytes, &length) == 1, length == 32 else {
            EVP_PKEY_free(key)
            throw .openSSL("Ed25519 public key")
        }
        self.publicKey = try Ed25519PublicKey(rawRepresentation: publicBytes)
    }

    deinit {
        EVP_PKEY_free(key)
    }

    public var rawRepresentation: [UInt8] {
        var seed = [UInt8](repeating: 0, count: 32)
        var length = 32
        // Reading back the seed of a key made from a seed cannot fail.
        precondition(EVP_PKEY_get_raw_private_key(key, &seed, &length) == 1 && length == 32, "Ed25519 seed unreadable")
        return seed
    }

    public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .openSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw .openSSL("Ed25519 sign init") }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let bytes = Array(message)
        let status = bytes.withUnsafeBufferPointer { buffer in
            EVP_DigestSign(context, &signature, &length, buffer.baseAddress, buffer.count)
        }
        guard status == 1, length == 64 else { throw .openSSL("Ed25519 sign") }
        return signature
    }
}

/// An Ed25519 public key.
public final class Ed25519PublicKey: @unchecked Sendable, Equatable {
    private let key: OpaquePointer
    public let rawRepresentation: [UInt8]

    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == 32 else { throw .invalidKey("an Ed25519 public key is 32 bytes") }
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, 32) else {
            throw .invalidKey("not an Ed25519 public key")
        }
        self.key = key
        self.rawRepresentation = rawRepresentation
    }

    deinit {
        EVP_PKEY_free(key)
    }

    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
        guard signature.count == 64, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        let signatureBytes = Array(signature)
        let messageBytes = Array(message)
        return signatureBytes.withUnsafeBufferPointer { signatureBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                EVP_DigestVerify(context, signatureBuffer.baseAddress, 64, messageBuffer.baseAddress, messageBuffer.count) == 1
            }
        }
    }

    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }
}
