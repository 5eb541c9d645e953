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

    /// Digits after the decimal point in the currency's major unit (ISO 4217's minor unit): 2 for most, 0 for the
    /// yen or the CFA francs, 3 for the dinars of Bahrain, Iraq, Jordan, Kuwait, Libya, Tunisia and Oman's rial.
    public var minorUnitDigits: Int {
        if Self.noMinorUnit.contains(code) { return 0 }
        if Self.threeDigitMinorUnit.contains(code) { return 3 }
        if Self.fourDigitMinorUnit.contains(code) { return 4 }
        return 2
    }

    static let noMinorUnit: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    static let threeDigitMinorUnit: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
    static let fourDigitMinorUnit: Set<String> = ["CLF", "UYW"]
}
