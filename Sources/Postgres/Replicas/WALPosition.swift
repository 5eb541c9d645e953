/// A position in the write-ahead log (`pg_lsn`, shown as `16/B374D848`): ordered as the log is.
public struct WALPosition: Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    /// Parses PostgreSQL's text form; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, parts.allSatisfy({ (1...8).contains($0.count) }), let high = UInt64(parts[0], radix: 16),
            let low = UInt64(parts[1], radix: 16)
        else { return nil }
        value = high << 32 | low
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool { lhs.value < rhs.value }

    public var description: String { "\(String(value >> 32, radix: 16, uppercase: true))/\(String(value & 0xFFFF_FFFF, radix: 16, uppercase: true))" }
}
