import COpenSSL

/// scrypt (RFC 7914) through OpenSSL, for client secrets: slow and memory-hard on purpose.
public struct Scrypt: Sendable, Equatable {
    /// log2 of the CPU/memory cost N.
    public let logN: UInt8
    public let blockSize: UInt32
    public let parallelism: UInt32

    /// N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per derivation on this hardware, OWASP's minimum.
    public static let interactive = Scrypt(logN: 15, blockSize: 8, parallelism: 1)

    public init(logN: UInt8, blockSize: UInt32, parallelism: UInt32) {
        precondition((1...20).contains(logN) && blockSize >= 1 && parallelism >= 1, "scrypt parameters out of range")
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// The memory the derivation needs, with headroom: OpenSSL refuses to exceed the limit it is given.
    private var memoryLimit: UInt64 {
        128 * UInt64(blockSize) * (UInt64(1) << logN) * 2 + 128 * UInt64(blockSize) * UInt64(parallelism) + (1 << 20)
    }

    public func deriveKey(password: some Collection<UInt8>, salt: some Collection<UInt8>, length: Int) throws(CryptoError)
        -> [UInt8]
    {
        precondition(length > 0 && length <= 1_024, "scrypt key length out of range")
        var key = [UInt8](repeating: 0, count: length)
        let passwordBytes = Array(password)
        let saltBytes = Array(salt)
        let status = passwordBytes.withUnsafeBufferPointer { passwordBuffer in
            saltBytes.withUnsafeBufferPointer { saltBuffer in
                passwordBuffer.baseAddress.withMemoryRebound(to: CChar.self, capacity: passwordBuffer.count) { passwordPointer in
                    EVP_PBE_scrypt(
                        passwordPointer, passwordBuffer.count, saltBuffer.baseAddress, saltBuffer.count,
                        UInt64(1) << logN, UInt64(blockSize), UInt64(parallelism), memoryLimit, &key, length)
                }
            }
        }
        guard status == 1 else { throw .openSSL("scrypt") }
        return key
    }
}

extension Optional where Wrapped == UnsafePointer<UInt8> {
    /// Rebinds a possibly nil buffer base (an empty buffer) for C functions that accept NULL with length 0.
    fileprivate func withMemoryRebound<T, R>(to type: T.Type, capacity: Int, _ body: (UnsafePointer<T>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withMemoryRebound(to: type, capacity: capacity) { body($0) }
    }
}
