public import Foundation

/// The service's own reference for a transaction, returned to clients as `raasTxnRef`.
public struct RaasTxnRef: Hashable, Sendable, CustomStringConvertible {
    public let uuid: UUID
    /// The lower-case text form clients see.
    public let value: String

    public init(_ uuid: UUID = UUID()) {
        self.uuid = uuid
        self.value = uuid.uuidString.lowercased()
    }

    /// Accepts references this service issued (a lower-case UUID); anything else cannot name a transaction.
    public init?(parsing text: String) {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text), uuid.uuidString.lowercased() == text else {
            return nil
        }
        self.init(uuid)
    }

    /// The reference of vend attempt `attempt` (0-based): `<raasTxnRef>-0000`, `-0001`, … (API.md §3.4).
    public func vendReference(attempt: Int) -> String {
        precondition((0...9_999).contains(attempt), "vend attempts are numbered 0...9999")
        let digits = String(attempt)
        return value + "-" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    public var description: String { value }
}
