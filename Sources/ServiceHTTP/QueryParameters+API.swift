public import Hummingbird

extension Request {
    /// A required integer query parameter in the API's form: digits only, at most `maxDigits` (API.md §0).
    public func integerParameter(_ name: String, maxDigits: Int) throws -> Int64 {
        guard let value = try optionalIntegerParameter(name, maxDigits: maxDigits) else {
            throw APIError.format(name, "must not be null")
        }
        return value
    }

    /// The same, nil when absent.
    public func optionalIntegerParameter(_ name: String, maxDigits: Int) throws -> Int64? {
        guard let text = uri.queryParameters[name[...]].map(String.init), !text.isEmpty else { return nil }
        guard text.utf8.count <= maxDigits, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int64(text)
        else { throw APIError.format(name, "must be an integer of at most \(maxDigits) digits") }
        return value
    }
}
