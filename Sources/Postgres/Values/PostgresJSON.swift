import Foundation

/// A value stored as `jsonb` (and read from `json` or `jsonb` columns). Encoding happens once, when the value is
/// wrapped, so that an unencodable value is an error at the call site rather than inside the driver.
public struct PostgresJSON<Value: Sendable>: PostgresEncodable, Sendable {
    public let value: Value
    private let encodedText: String

    public init(_ value: Value) throws where Value: Encodable {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.value = value
        self.encodedText = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static var postgresDataType: PostgresDataType { .jsonb }

    public var postgresText: String? { encodedText }
}

extension PostgresJSON: PostgresDecodable where Value: Decodable {
    public init(postgresText text: String) throws {
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
            encodedText = text
        } catch {
            throw PostgresError.decoding("JSON does not decode as \(Value.self): \(error)")
        }
    }
}
