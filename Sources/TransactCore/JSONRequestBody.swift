import Foundation

/// A JSON object body read by the API's rules (API.md §0): integers arrive as JSON numbers or digit-only strings
/// (a fraction, a sign, an exponent or too many digits is a format error, and so is `true`); strings must not
/// hold NUL; the body must be valid UTF-8 JSON whose top level is an object.
public struct JSONRequestBody: Sendable {
    private let fields: [String: any Sendable]

    public init(bytes: [UInt8]) throws(FormatError) {
        guard StrictJSON.isValid(bytes), let parsed = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw FormatError("body", "must be a JSON object")
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
        init(_ number: NSNumber) {
            // Foundation gives booleans type "c", fractions and exponents "d" or "f", integers other codes ("i",
            // "q", or "Q" beyond Int64).
            switch String(cString: number.objCType) {
            case "c", "d", "f": integer = nil
            case "Q", "L": integer = number.uint64Value <= UInt64(Int64.max) ? Int64(number.uint64Value) : nil
            default: integer = number.int64Value
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

    /// A non-negative integer of at most `maxDigits` digits, as a number or a digit string.
    public func integer(_ key: String, maxDigits: Int) throws(FormatError) -> Int64? {
        guard let value = fields[key] else { return nil }
        switch value {
        case let number as Number:
            guard let integer = number.integer, integer >= 0, String(integer).count <= maxDigits else {
                throw FormatError(key, FieldRules.wholeNumberConstraint(maxDigits: maxDigits))
            }
            return integer
        case let text as String:
            return try FieldRules.integer(text, field: key, maxDigits: maxDigits)
        default:
            throw FormatError(key, FieldRules.wholeNumberConstraint(maxDigits: maxDigits))
        }
    }

    public func requiredInteger(_ key: String, maxDigits: Int) throws(FormatError) -> Int64 {
        guard let value = try integer(key, maxDigits: maxDigits) else { throw FormatError(key, "must not be null") }
        return value
    }

    /// A string of `length` characters; `alphanumeric` restricts it to ASCII letters and digits.
    public func string(_ key: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws(FormatError) -> String? {
        guard let value = fields[key] else { return nil }
        guard let text = value as? String else { throw FormatError(key, "must be a string") }
        return try FieldRules.text(text, field: key, length: length, alphanumeric: alphanumeric)
    }

    public func requiredString(_ key: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws(FormatError) -> String {
        guard let value = try string(key, length: length, alphanumeric: alphanumeric) else {
            throw FormatError(key, "must not be null")
        }
        return value
    }

    /// An object of at most `maxPairs` string values.
    public func stringMap(_ key: String, maxPairs: Int, maxLength: Int) throws(FormatError) -> [String: String]? {
        guard let value = fields[key] else { return nil }
        guard let object = value as? Object, let strings = object.strings, object.count <= maxPairs,
            strings.allSatisfy({ $0.key.count <= maxLength && $0.value.count <= maxLength
                && !$0.key.unicodeScalars.contains { $0.value == 0 } && !$0.value.unicodeScalars.contains { $0.value == 0 } })
        else { throw FormatError(key, "must be an object of at most \(maxPairs) string pairs") }
        return strings
    }
}
