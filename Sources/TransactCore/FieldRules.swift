/// The API's rules for one field's text (API.md §0), wherever it arrives: a JSON body or a query string.
public enum FieldRules {
    /// A non-negative integer written as digits only, at most `maxDigits` of them.
    public static func integer(_ text: String, field: String, maxDigits: Int) throws(FormatError) -> Int64 {
        guard !text.isEmpty, text.utf8.count <= maxDigits,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int64(text)
        else { throw FormatError(field, wholeNumberConstraint(maxDigits: maxDigits)) }
        return value
    }

    static func wholeNumberConstraint(maxDigits: Int) -> String { "must be a whole number of at most \(maxDigits) digits" }

    /// A string of `length` characters without NUL; `alphanumeric` restricts it to ASCII letters and digits.
    public static func text(_ text: String, field: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws(FormatError) -> String {
        guard length.contains(text.count) else {
            throw FormatError(field, "size must be between \(length.lowerBound) and \(length.upperBound)")
        }
        guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw FormatError(field, "must not contain NUL") }
        if alphanumeric, !text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) {
            throw FormatError(field, "must be alphanumeric")
        }
        return text
    }
}
