public import Foundation

/// A JSON object body read by the API's rules (API.md §0, §0.2): integers arrive as JSON numbers or digit-only
/// strings (a fraction, an exponent or `true` cannot be read as one; a sign or too many digits breaks its range); a
/// null or an empty string where a number belongs counts as absent; strings must not hold NUL; the body must be
/// valid UTF-8 JSON whose top level is an object.
public struct JSONRequestBody: Sendable {
    private let fields: [String: any Sendable]

    public init(bytes: [UInt8]) throws(FormatError) {
        guard StrictJSON.isValid(bytes), let parsed = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw FormatError.unreadable("body")
        }
        var fields: [String: any Sendable] = [:]
        for (key, value) in parsed {
            switch value {
            case let text as String: fields[key] = text
            case let number as NSNumber: fields[key] = Number(number)
            case let object as [String: Any]: fields[key] = Object(object)
            case is NSNull: continue
            default: fields[key] = Unsupported()
            }
        }
        self.fields = fields
    }

    /// The JSON number kinds that matter here, read from Foundation's NSNumber.
    struct Number: Sendable {
        let integer: Int64?
        /// `true` or `false` (Foundation reads both as numbers).
        let boolean: Bool?
        /// A whole number too large for 64 bits (above every range), rather than a fraction or a boolean.
        let isBeyondInt64: Bool
        init(_ number: NSNumber) {
            // Foundation gives booleans type "c", fractions and exponents "d" or "f", integers other codes ("i",
            // "q", or "Q" beyond Int64).
            boolean = String(cString: number.objCType) == "c" ? number.boolValue : nil
            switch String(cString: number.objCType) {
            case "c", "d", "f":
                integer = nil
                isBeyondInt64 = false
            case "Q", "L":
                integer = number.uint64Value <= UInt64(Int64.max) ? Int64(number.uint64Value) : nil
                isBeyondInt64 = integer == nil
            default:
                integer = number.int64Value
                isBeyondInt64 = false
            }
        }
    }

    struct Object: Sendable {
        let strings: [String: String]?
        let count: Int
        init(_ object: [String: Any]) {
            count = object.count
            var strings: [String: String] = [:]
            for (key, value) in object {
                guard let text = value as? String else {
                    self.strings = nil
                    return
                }
                strings[key] = text
            }
            self.strings = strings
        }
    }

    struct Unsupported: Sendable {}

    public func contains(_ key: String) -> Bool { fields[key] != nil }

    /// An integer within `rule`, as a number or a digit string; nil when absent, null or an empty string.
    public func integer(_ key: String, _ rule: IntegerRule) throws(FormatError) -> Int64? {
        guard let value = fields[key] else { return nil }
        switch value {
        case let number as Number:
            guard let integer = number.integer else {
                throw number.isBeyondInt64 ? rule.tooLarge(field: key) : FormatError.unreadable(key)
            }
            return try rule.check(integer, field: key)
        case let text as String:
            return text.isEmpty ? nil : try FieldRules.integer(text, field: key, rule)
        default:
            throw FormatError.unreadable(key)
        }
    }

    public func requiredInteger(_ key: String, _ rule: IntegerRule) throws(FormatError) -> Int64 {
        guard let value = try integer(key, rule) else { throw .missing(key) }
        return value
    }

    /// A string of `length` characters; `alphanumeric` restricts it to ASCII letters and digits. With
    /// `blankIsAbsent`, an empty string or one of spaces only is nil, as if the field were not there.
    public func string(
        _ key: String, length: ClosedRange<Int>, alphanumeric: Bool = false, blankIsAbsent: Bool = false
    ) throws(FormatError) -> String? {
        guard let value = fields[key] else { return nil }
        guard let text = value as? String else { throw .unreadable(key) }
        // Blank is spaces only, as the OpenAPI document's patterns say it.
        let blank = text.utf8.allSatisfy { $0 == UInt8(ascii: " ") }
        if blankIsAbsent && text.isEmpty { return nil }
        let checked = try FieldRules.text(text, field: key, length: length, alphanumeric: alphanumeric)
        return blankIsAbsent && blank ? nil : checked
    }

    public func requiredString(_ key: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws(FormatError) -> String {
        guard let value = try string(key, length: length, alphanumeric: alphanumeric) else { throw .missing(key) }
        return value
    }

    /// An ISO 8601 date and time with a time zone of at most `maxLength` characters, as given and as the instant it
    /// names; nil when absent, null or empty.
    public func timestamp(_ key: String, maxLength: Int) throws(FormatError) -> (text: String, instant: Date)? {
        guard let value = fields[key] else { return nil }
        guard let text = value as? String else { throw .unreadable(key) }
        if text.isEmpty { return nil }
        let checked = try FieldRules.text(text, field: key, length: 1...maxLength)
        return (checked, try FieldRules.timestamp(checked, field: key))
    }

    public func requiredTimestamp(_ key: String, maxLength: Int) throws(FormatError) -> (text: String, instant: Date) {
        guard let value = try timestamp(key, maxLength: maxLength) else { throw .missing(key) }
        return value
    }

    /// `true` or `false`; nil when absent or null.
    public func bool(_ key: String) throws(FormatError) -> Bool? {
        guard let value = fields[key] else { return nil }
        guard let number = value as? Number, let boolean = number.boolean else { throw FormatError(key, "must be true or false") }
        return boolean
    }

    /// An object of at most `maxPairs` string values.
    public func stringMap(_ key: String, maxPairs: Int, maxLength: Int) throws(FormatError) -> [String: String]? {
        guard let value = fields[key] else { return nil }
        guard let object = value as? Object, let strings = object.strings, object.count <= maxPairs,
            strings.allSatisfy({ $0.key.unicodeScalars.count <= maxLength && $0.value.unicodeScalars.count <= maxLength
                && !$0.key.unicodeScalars.contains { $0.value == 0 } && !$0.value.unicodeScalars.contains { $0.value == 0 } })
        else { throw FormatError(key, "must be an object of at most \(maxPairs) string pairs") }
        return strings
    }
}
