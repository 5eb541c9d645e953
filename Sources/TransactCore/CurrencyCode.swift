/// An ISO 4217 alphabetic currency code (`ZAR`, `NGN`): three upper-case ASCII letters.
public struct CurrencyCode: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init?(_ code: String) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return nil
        }
        self.code = code
    }

    public var description: String { code }
}
