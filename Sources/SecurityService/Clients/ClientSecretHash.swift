import NIOPosix
public import TransactCrypto

/// How client secrets are stored: scrypt, encoded as `scrypt$<logN>$<r>$<p>$<salt>$<hash>` (base64url), so that
/// the cost can be raised later without invalidating stored hashes.
public enum ClientSecretHash {
    static let saltByteCount = 16
    static let hashByteCount = 32
    /// Secrets longer than this are refused before hashing: scrypt's cost must not be the caller's to choose.
    public static let maxSecretLength = 256

    public static func make(secret: String, parameters: Scrypt = .interactive) throws -> String {
        precondition(secret.utf8.count <= maxSecretLength, "client secrets are at most \(maxSecretLength) bytes")
        let salt = SecureRandom.bytes(count: saltByteCount)
        let hash = try parameters.deriveKey(password: Array(secret.utf8), salt: salt, length: hashByteCount)
        return ["scrypt", String(parameters.logN), String(parameters.blockSize), String(parameters.parallelism),
                Base64URL.encode(salt), Base64URL.encode(hash)].joined(separator: "$")
    }

    /// `make`, run on NIO's blocking thread pool: scrypt takes tens of milliseconds of CPU and must not hold one of
    /// the cooperative pool's few threads.
    public static func makeOffloaded(secret: String, parameters: Scrypt = .interactive) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try make(secret: secret, parameters: parameters) }
    }

    /// `verify`, run on NIO's blocking thread pool (see `makeOffloaded`).
    public static func verifyOffloaded(secret: String, against encoded: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { verify(secret: secret, against: encoded) }) ?? false
    }

    /// True when `secret` is the one `encoded` was made from. Compares in constant time; a malformed encoding
    /// verifies nothing.
    public static func verify(secret: String, against encoded: String) -> Bool {
        guard secret.utf8.count <= maxSecretLength else { return false }
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt", let logN = UInt8(parts[1]), (1...20).contains(logN),
            let blockSize = UInt32(parts[2]), (1...32).contains(blockSize), let parallelism = UInt32(parts[3]),
            (1...16).contains(parallelism), let salt = Base64URL.decode(parts[4]), let expected = Base64URL.decode(parts[5]),
            // Exactly the length `make` writes: scrypt's output for a longer length begins with the shorter one, so
            // a hash with bytes appended would otherwise verify whenever the extra bytes happened to match.
            expected.count == hashByteCount
        else { return false }
        let parameters = Scrypt(logN: logN, blockSize: blockSize, parallelism: parallelism)
        guard let derived = try? parameters.deriveKey(password: Array(secret.utf8), salt: salt, length: expected.count) else {
            return false
        }
        return ConstantTime.equals(derived, expected)
    }
}
