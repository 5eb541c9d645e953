public import Foundation

/// The API's rules for one field's text (API.md §0), wherever it arrives: a JSON body or a query string.
public enum FieldRules {
    /// An integer written as digits (a leading minus allowed, so that a negative value is refused by its range,
    /// not as unreadable) within `rule`: empty is missing, other characters unreadable (API.md §0.2).
    public static func integer(_ text: String, field: String, _ rule: IntegerRule) throws(FormatError) -> Int64 {
        guard !text.isEmpty else { throw .missing(field) }
        let negative = text.utf8.first == UInt8(ascii: "-")
        let digits = text.utf8.dropFirst(negative ? 1 : 0)
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .unreadable(field)
        }
        guard let value = Int64(text) else {
            throw negative ? FormatError.below(rule.reportedName ?? field, minimum: rule.range.lowerBound) : rule.tooLarge(field: field)
        }
        return try rule.check(value, field: field)
    }

    /// A string of `length` characters without NUL; `alphanumeric` restricts it to ASCII letters and digits.
    /// Characters are Unicode scalars, as JSON Schema's `maxLength` and PostgreSQL's `length()` count them (a letter
    /// with a combining accent is two): a string that passes here fits every column checked the same way.
    public static func text(_ text: String, field: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws(FormatError) -> String {
        guard length.contains(text.unicodeScalars.count) else { throw .size(field, length) }
        guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw .nul(field) }
        if alphanumeric, !text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) {
            throw .notAlphanumeric(field)
        }
        return text
    }

    /// An MSISDN in international form: 8 to 15 ASCII digits, the country's calling code first (no `+`).
    public static func isMSISDN(_ text: String) -> Bool {
        (8...15).contains(text.utf8.count) && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// An ISO 8601 date and time with a time zone: `2016-06-29T16:39:42.735Z`, `2016-06-29T18:39:42+02:00`,
    /// `…+0200`; up to nine digits of fraction; a date that exists (no 30 February) and a time of day that does.
    /// Read by hand: a regular expression and a date formatter per request cost more than the rest of a lookup.
    public static func isTimestamp(_ text: String) -> Bool {
        timestamp(text) != nil
    }

    /// The instant a timestamp names; unreadable (API.md §0.2) when the text is not one.
    public static func timestamp(_ text: String, field: String) throws(FormatError) -> Date {
        guard let instant = timestamp(text) else { throw .unreadable(field) }
        return instant
    }

    /// The instant an `isTimestamp` text names; nil when it is not one.
    public static func timestamp(_ text: String) -> Date? {
        var reader = TimestampReader(bytes: Array(text.utf8))
        return reader.read().map { Date(timeIntervalSince1970: $0) }
    }
}

/// The reader behind `FieldRules.isTimestamp`.
private struct TimestampReader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func number(digits count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[position..<position + count] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        position += count
        return value
    }

    mutating func skip(_ character: Character) -> Bool {
        guard position < bytes.count, bytes[position] == character.asciiValue else { return false }
        position += 1
        return true
    }

    /// Seconds since 1970-01-01T00:00:00Z; nil when the text is not a timestamp.
    mutating func read() -> Double? {
        guard bytes.count <= 40, let year = number(digits: 4), skip("-"), let month = number(digits: 2), skip("-"),
            let day = number(digits: 2), skip("T"), let hour = number(digits: 2), skip(":"), let minute = number(digits: 2),
            skip(":"), let second = number(digits: 2)
        else { return nil }
        var fraction = 0.0
        if skip(".") {
            let start = position
            var scale = 0.1
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                fraction += Double(bytes[position] - UInt8(ascii: "0")) * scale
                scale /= 10
                position += 1
            }
            guard (1...9).contains(position - start) else { return nil }
        }
        var zoneOffset = 0
        if !skip("Z") {
            let east = skip("+")
            guard east || skip("-"), let zoneHours = number(digits: 2), zoneHours <= 23 else { return nil }
            _ = skip(":")
            guard let zoneMinutes = number(digits: 2), zoneMinutes <= 59 else { return nil }
            zoneOffset = (east ? 1 : -1) * (zoneHours * 3_600 + zoneMinutes * 60)
        }
        guard position == bytes.count, (1...12).contains(month), hour <= 23, minute <= 59, second <= 59 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...daysInMonth).contains(day) else { return nil }
        let seconds = Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
        return Double(seconds - zoneOffset) + fraction
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = year / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
