/// A failure inside OpenSSL, or input that cannot be what the caller claims (a key of the wrong length).
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    case openSSL(String)
    case invalidKey(String)
    /// An authenticated decryption whose tag did not verify: the data or the key is not what was sealed.
    case authenticationFailed

    public var description: String {
        switch self {
        case .openSSL(let operation): "OpenSSL \(operation) failed"
        case .invalidKey(let reason): "invalid key: \(reason)"
        case .authenticationFailed: "authentication failed"
        }
    }
}
