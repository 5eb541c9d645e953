public import Foundation
public import Hummingbird
public import TransactCore

/// Query parameters read by the API's field rules (API.md §0, §0.2): a rule broken is 400 `4000` in Clickatell's
/// words. An empty parameter counts as absent, as an empty number field of a body does (`productId=&channelId=` is a
/// search without those filters).
extension Request {
    /// A required integer within `rule`.
    public func integerParameter(_ name: String, _ rule: IntegerRule) throws -> Int64 {
        guard let value = try optionalIntegerParameter(name, rule) else { throw APIError(.missing(name)) }
        return value
    }

    /// The same, nil when absent or empty.
    public func optionalIntegerParameter(_ name: String, _ rule: IntegerRule) throws -> Int64? {
        guard let text = try parameterText(name) else { return nil }
        do throws(FormatError) {
            return try FieldRules.integer(text, field: name, rule)
        } catch {
            throw APIError(error)
        }
    }

    /// A required string of `length` characters (`alphanumeric`: ASCII letters and digits only).
    public func stringParameter(_ name: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws -> String {
        guard let value = try optionalStringParameter(name, length: length, alphanumeric: alphanumeric) else {
            throw APIError(.missing(name))
        }
        return value
    }

    /// The same, nil when absent or empty.
    public func optionalStringParameter(_ name: String, length: ClosedRange<Int>, alphanumeric: Bool = false) throws -> String? {
        guard let text = try parameterText(name) else { return nil }
        do throws(FormatError) {
            return try FieldRules.text(text, field: name, length: length, alphanumeric: alphanumeric)
        } catch {
            throw APIError(error)
        }
    }

    /// An ISO 8601 date and time with a time zone, as the instant it names; nil when absent or empty.
    public func optionalTimestampParameter(_ name: String) throws -> Date? {
        guard let text = try optionalStringParameter(name, length: 1...40) else { return nil }
        do throws(FormatError) {
            return try FieldRules.timestamp(text, field: name)
        } catch {
            throw APIError(error)
        }
    }

    /// `true` or `false`; nil when absent or empty.
    public func optionalBooleanParameter(_ name: String) throws -> Bool? {
        switch try parameterText(name) {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw APIError.format(name, "must be true or false")
        }
    }

    /// The parameter's decoded text; nil when absent or empty. A parameter given twice is refused rather than
    /// guessed at.
    private func parameterText(_ name: String) throws -> String? {
        let values = uri.queryParameters.getAll(name)
        guard values.count <= 1 else { throw APIError.format(name, "must be given once") }
        guard let first = values.first, !first.isEmpty else { return nil }
        return String(first)
    }
}
