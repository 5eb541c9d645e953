/// A 4-character `responseCode` as another party sends it (a bank's reservation answer, a vendor's confirmation):
/// leading zeros matter, so it is a string, never a number. The service's own codes, with their messages, are
/// `Answer`'s.
public struct ResponseCode: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init?(_ code: String) {
        guard code.utf8.count == 4, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        self.code = code
    }

    public var description: String { code }

    /// A bank's reservation decline (2010–2090): the purchase fails and nothing was reserved.
    public var isReservationDecline: Bool {
        guard let value = Int(code) else { return false }
        return (2010...2090).contains(value)
    }

    /// A vendor outcome that is retried with backoff (API.md §3.4).
    public var isRetryableVendorOutcome: Bool {
        Answer.retryableVendOutcomes.contains { $0.code == code }
    }
}
