public import TransactCrypto

/// Seals secrets the service must be able to read back (Signature secrets, credentials for banks and vendors,
/// signing keys) with AES-256-GCM under the master key. The purpose (for example `client:200:signature`) is
/// authenticated with the ciphertext, so a sealed value moved to another row does not open.
public struct SecretSealer: Sendable {
    private let masterKey: MasterKey

    public init(masterKey: MasterKey) {
        self.masterKey = masterKey
    }

    /// base64url of nonce ‖ ciphertext ‖ tag.
    public func seal(_ secret: [UInt8], purpose: String) throws -> String {
        let box = try AES256GCM.seal(secret, key: masterKey.bytes, authenticating: Array(purpose.utf8))
        return Base64URL.encode(box.combined)
    }

    public func seal(_ secret: String, purpose: String) throws -> String {
        try seal(Array(secret.utf8), purpose: purpose)
    }

    /// Throws `CryptoError.authenticationFailed` for a wrong master key, a wrong purpose or altered data.
    public func open(_ sealed: String, purpose: String) throws -> [UInt8] {
        guard let combined = Base64URL.decode(sealed) else { throw CryptoError.authenticationFailed }
        return try AES256GCM.open(AES256GCM.SealedBox(combined: combined), key: masterKey.bytes, authenticating: Array(purpose.utf8))
    }
}
