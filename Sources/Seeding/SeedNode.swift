import Foundation

/// One mapping of a seed file being read, with its location for error messages. Every accessor validates; `done`
/// refuses keys nobody asked for, so that a misspelt key is an error rather than a silently ignored setting.
struct SeedNode {
    let file: String
    let entry: String
    private let mapping: [String: Any]
    private var consumed: Set<String> = []

    init(file: String, entry: String, value: Any) throws(SeedError) {
        self.file = file
        self.entry = entry
        guard let mapping = value as? [String: Any] else {
            throw SeedError(file: file, entry: entry, field: nil, reason: "must be a mapping of keys to values")
        }
        self.mapping = mapping
    }

    func error(_ field: String?, _ reason: String) -> SeedError {
        SeedError(file: file, entry: entry, field: field, reason: reason)
    }

    /// The value of `key`, nil when absent or null.
    private mutating func value(_ key: String) -> Any? {
        consumed.insert(key)
        guard let value = mapping[key], !(value is NSNull) else { return nil }
        return value
    }

    mutating func integer(_ key: String, _ range: ClosedRange<Int64>) throws(SeedError) -> Int64 {
        guard let value = try optionalInteger(key, range) else { throw error(key, "is required") }
        return value
    }

    mutating func optionalInteger(_ key: String, _ range: ClosedRange<Int64>) throws(SeedError) -> Int64? {
        guard let raw = value(key) else { return nil }
        guard let number = Self.integer(raw, range) else {
            throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func integer(_ raw: Any, _ range: ClosedRange<Int64>) -> Int64? {
        let value: Int64?
        switch raw {
        case let number as Int: value = Int64(number)
        case let text as String where !text.isEmpty && text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) && text.count <= 18:
            value = Int64(text)
        default: value = nil
        }
        guard let value, range.contains(value) else { return nil }
        return value
    }

    mutating func string(_ key: String, maxLength: Int, pattern: String? = nil) throws(SeedError) -> String {
        guard let value = try optionalString(key, maxLength: maxLength, pattern: pattern) else {
            throw error(key, "is required")
        }
        return value
    }

    mutating func optionalString(_ key: String, maxLength: Int, pattern: String? = nil) throws(SeedError) -> String? {
        guard let raw = value(key) else { return nil }
        let text: String
        switch raw {
        case let string as String: text = string
        // Digit strings written without quotes (prefix: 83) arrive as numbers.
        case let number as Int where pattern != nil: text = String(number)
        default: throw error(key, "must be text")
        }
        guard !text.isEmpty, text.count <= maxLength else { throw error(key, "must be 1 to \(maxLength) characters") }
        guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw error(key, "must not contain NUL") }
        if let pattern, text.range(of: pattern, options: .regularExpression) == nil {
            throw error(key, "'\(text.prefix(40))' does not match \(pattern)")
        }
        return text
    }

    mutating func choice(_ key: String, _ choices: [String], default defaultValue: String? = nil) throws(SeedError) -> String {
        guard let raw = value(key) else {
            guard let defaultValue else { throw error(key, "is required") }
            return defaultValue
        }
        guard let text = raw as? String, choices.contains(text) else {
            throw error(key, "must be one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws(SeedError) -> Bool {
        guard let raw = value(key) else { return defaultValue }
        guard let flag = raw as? Bool else { throw error(key, "must be true or false") }
        return flag
    }

    mutating func integerList(_ key: String, _ range: ClosedRange<Int64>, maxCount: Int = 10_000) throws(SeedError) -> [Int64]? {
        guard let raw = value(key) else { return nil }
        guard let list = raw as? [Any], list.count <= maxCount else { throw error(key, "must be a list of at most \(maxCount) numbers") }
        var values: [Int64] = []
        for item in list {
            guard let number = Self.integer(item, range) else {
                throw error(key, "every item must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            values.append(number)
        }
        guard Set(values).count == values.count else { throw error(key, "lists a value twice") }
        return values
    }

    /// A list of distinct choices, each one of `choices`.
    mutating func choiceList(_ key: String, _ choices: [String]) throws(SeedError) -> [String]? {
        guard let raw = value(key) else { return nil }
        guard let list = raw as? [Any], list.count <= choices.count else { throw error(key, "must be a list of at most \(choices.count) items") }
        let values = list.compactMap { $0 as? String }
        guard values.count == list.count, values.allSatisfy(choices.contains) else {
            throw error(key, "every item must be one of " + choices.joined(separator: ", "))
        }
        guard Set(values).count == values.count else { throw error(key, "lists a value twice") }
        return values
    }

    mutating func rawList(_ key: String) throws(SeedError) -> [Any]? {
        guard let raw = value(key) else { return nil }
        guard let list = raw as? [Any] else { throw error(key, "must be a list") }
        return list
    }

    mutating func child(_ key: String) throws(SeedError) -> SeedNode? {
        guard let raw = value(key) else { return nil }
        return try SeedNode(file: file, entry: entry.isEmpty ? key : "\(entry).\(key)", value: raw)
    }

    /// The keys of a nested mapping, for maps such as messagePrices.
    mutating func integerMap(_ key: String, keyPattern: String, _ range: ClosedRange<Int64>) throws(SeedError) -> [String: Int64] {
        guard let raw = value(key) else { return [:] }
        guard let mapping = raw as? [String: Any] else { throw error(key, "must be a mapping") }
        var values: [String: Int64] = [:]
        for (name, item) in mapping {
            guard name.range(of: keyPattern, options: .regularExpression) != nil, let number = Self.integer(item, range) else {
                throw error("\(key).\(name)", "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            values[name] = number
        }
        return values
    }

    /// Refuses keys that were never read.
    func done() throws(SeedError) {
        if let unknown = mapping.keys.filter({ !consumed.contains($0) }).sorted().first {
            throw error(unknown, "is not a known key here")
        }
    }
}
