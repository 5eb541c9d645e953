/// The 32-byte key under which the service stores its signing keys encrypted (`TRANSACT_MASTER_KEY`, 64
/// hexadecimal characters). Never logged: its description hides the value.
public struct MasterKey: Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }

    public var description: String { "MasterKey(redacted)" }
}
