import TransactCrypto

/// API keys: high-entropy random values shown once, stored only as their SHA-256 (hex). Unlike passwords they
/// need no slow hash: 256 random bits cannot be guessed, and a fast hash lets every request be checked cheaply.
public enum APIKey {
    public static let maxLength = 256

    /// A new key: 32 random bytes, base64url (43 characters).
    public static func generate() -> String {
        Base64URL.encode(SecureRandom.bytes(count: 32))
    }

    /// A new client secret of the same strength, for clients onboarded without one.
    public static func generateSecret() -> String {
        Base64URL.encode(SecureRandom.bytes(count: 24))
    }

    public static func hash(_ key: String) -> String {
        Hex.encode(SHA256.hash(key))
    }
}
