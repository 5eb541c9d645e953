import COpenSSL

/// Comparisons whose running time does not depend on where secrets differ.
public enum ConstantTime {
    /// True when both byte strings are equal. Lengths are not secret (a MAC, a hash), so unequal lengths
    /// return at once.
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        guard left.count == right.count else { return false }
        guard !left.isEmpty else { return true }
        return left.withUnsafeBytes { leftBuffer in
            right.withUnsafeBytes { rightBuffer in
                CRYPTO_memcmp(leftBuffer.baseAddress, rightBuffer.baseAddress, leftBuffer.count) == 0
            }
        }
    }

    /// The same for two strings' UTF-8 bytes, without copying them (for values checked on every request).
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs.utf8, rhs.utf8) { difference |= left ^ right }
        return difference == 0
    }
}
