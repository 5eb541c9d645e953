import COpenSSL

/// SHA-256 through OpenSSL's EVP interface.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let stream = Stream()
        stream.update(Array(bytes))
        return stream.finish()
    }

    public static func hash(_ text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }
}

extension SHA256 {
    /// SHA-256 over bytes that arrive in parts: a file hashed as it is written, however large.
    public final class Stream {
        private let context: OpaquePointer

        public init() {
            // Only allocation can fail here, and nothing can continue without memory.
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
                preconditionFailure("OpenSSL SHA-256 could not start")
            }
            self.context = context
        }

        deinit { EVP_MD_CTX_free(context) }

        public func update(_ bytes: [UInt8]) {
            let status = bytes.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            precondition(status == 1, "OpenSSL SHA-256 failed")
        }

        /// The digest of everything given so far; the stream is spent.
        public func finish() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: SHA256.byteCount)
            var length: UInt32 = 0
            precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == UInt32(SHA256.byteCount),
                         "OpenSSL SHA-256 failed")
            return digest
        }
    }
}
