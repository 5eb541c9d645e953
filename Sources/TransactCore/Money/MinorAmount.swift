/// An amount of money in the currency's lowest denomination (cents, kobo). Never floating point.
///
/// The API carries amounts of at most 12 digits (API.md §0); arithmetic on amounts is checked, so an overflow is
/// an error and never a wrap.
public struct MinorAmount: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int64

    /// The largest amount the API accepts: 12 digits.
    public static let maximumAPIValue: Int64 = 999_999_999_999

    public init(_ value: Int64) {
        self.value = value
    }

    /// Reads an API amount: digits only (no sign, fraction or exponent), at most 12 of them.
    public init?(apiDigits text: Substring) {
        guard !text.isEmpty, text.count <= 12, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int64(text)
        else { return nil }
        self.value = value
    }

    public static let zero = MinorAmount(0)

    public static func < (lhs: MinorAmount, rhs: MinorAmount) -> Bool { lhs.value < rhs.value }

    public func adding(_ other: MinorAmount) throws(AmountError) -> MinorAmount {
        let (sum, overflow) = value.addingReportingOverflow(other.value)
        guard !overflow else { throw .overflow }
        return MinorAmount(sum)
    }

    public func subtracting(_ other: MinorAmount) throws(AmountError) -> MinorAmount {
        let (difference, overflow) = value.subtractingReportingOverflow(other.value)
        guard !overflow else { throw .overflow }
        return MinorAmount(difference)
    }

    public var description: String { String(value) }
}

public enum AmountError: Error, Sendable, Equatable {
    case overflow
}

extension MinorAmount {
    /// The amount as people read it: the currency's code and the major units, grouped in thousands, with the
    /// currency's own number of decimals (`ZAR 1,234.56`, `JPY 1,200`, `ZAR -0.50`). For display only: files and
    /// the API keep minor units.
    public func formatted(in currency: CurrencyCode) -> String {
        let digits = currency.minorUnitDigits
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        var whole = String(magnitude / divisor)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        grouped = whole + grouped
        if digits > 0 {
            let fraction = String(magnitude % divisor)
            grouped += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return "\(currency.code) \(value < 0 ? "-" : "")\(grouped)"
    }
}
