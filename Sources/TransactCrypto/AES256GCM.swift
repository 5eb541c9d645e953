import COpenSSL

/// AES-256-GCM authenticated encryption through OpenSSL, for secrets at rest (signing keys under the master key).
public enum AES256GCM {
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// A sealed message: nonce ‖ ciphertext ‖ tag, so that it can be stored as one value.
    public struct SealedBox: Sendable, Equatable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]
        public let tag: [UInt8]

        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        public var combined: [UInt8] { nonce + ciphertext + tag }

        public init(combined: [UInt8]) throws(CryptoError) {
            guard combined.count >= nonceByteCount + tagByteCount else { throw .authenticationFailed }
            nonce = Array(combined.prefix(nonceByteCount))
            ciphertext = Array(combined.dropFirst(nonceByteCount).dropLast(tagByteCount))
            tag = Array(combined.suffix(tagByteCount))
        }
    }

    /// Encrypts with a fresh random nonce (or the given one, for test vectors only).
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], authenticating associatedData: [UInt8] = [], nonce: [UInt8]? = nil
    ) throws(CryptoError) -> SealedBox {
        guard key.count == 32 else { throw .invalidKey("AES-256 keys are 32 bytes") }
        let nonce = nonce ?? SecureRandom.bytes(count: nonceByteCount)
        guard nonce.count == nonceByteCount else { throw .invalidKey("GCM nonces are 12 bytes") }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw .openSSL("GCM init") }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw .openSSL("GCM associated data")
            }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written: Int32 = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1 else {
                throw .openSSL("GCM encrypt")
            }
        }
        var finalLength: Int32 = 0
        let finalStatus = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength)
        }
        guard finalStatus == 1 else { throw .openSSL("GCM final") }
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw .openSSL("GCM tag")
        }
        return SealedBox(nonce: nonce, ciphertext: Array(ciphertext.prefix(Int(written + finalLength))), tag: tag)
    }

    /// Decrypts and verifies; throws `.authenticationFailed` when anything was altered or the key is wrong.
    public static func open(_ box: SealedBox, key: [UInt8], authenticating associatedData: [UInt8] = []) throws(CryptoError)
        -> [UInt8]
    {
        guard key.count == 32 else { throw .invalidKey("AES-256 keys are 32 bytes") }
        guard box.nonce.count == nonceByteCount, box.tag.count == tagByteCount else { throw .authenticationFailed }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, box.nonce) == 1 else { throw .openSSL("GCM init") }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw .openSSL("GCM associated data")
            }
        }
        var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count + 16)
        var written: Int32 = 0
        if !box.ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context, &plaintext, &written, box.ciphertext, Int32(box.ciphertext.count)) == 1 else {
                throw .authenticationFailed
            }
        }
        var tag = box.tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw .openSSL("GCM tag")
        }
        var finalLength: Int32 = 0
        let verified = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength)
        }
        guard verified > 0 else { throw .authenticationFailed }
        return Array(plaintext.prefix(Int(written + finalLength)))
    }
}
