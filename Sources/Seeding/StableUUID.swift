public import Foundation
import TransactCrypto

extension UUID {
    /// A UUID derived from a name (SHA-256, version 8 layout), so that loading the same seed twice writes the same
    /// ledger transfer ids and the ledger's idempotency makes the second load a no-op.
    public init(stableFrom name: String) {
        var bytes = Array(SHA256.hash(name).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        self = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
