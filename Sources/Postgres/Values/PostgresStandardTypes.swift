public import Foundation

extension String: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .text }
    public var postgresText: String? { self }
    public init(postgresText text: String) { self = text }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Int64(text) else { throw decodingError(Int64.self, text) }
        self = value
    }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Int(text) else { throw decodingError(Int.self, text) }
        self = value
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int4 }
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Int32(text) else { throw decodingError(Int32.self, text) }
        self = value
    }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int2 }
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Int16(text) else { throw decodingError(Int16.self, text) }
        self = value
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .bool }
    public var postgresText: String? { self ? "true" : "false" }
    public init(postgresText text: String) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(Bool.self, text)
        }
    }
}

/// Only for measurements and ratios: money is always integer minor units (`Int64`).
extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .float8 }
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public init(postgresText text: String) throws {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw decodingError(Double.self, text) }
            self = value
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .uuid }
    public var postgresText: String? { uuidString.lowercased() }
    public init(postgresText text: String) throws {
        guard let value = UUID(uuidString: text) else { throw decodingError(UUID.self, text) }
        self = value
    }
}
