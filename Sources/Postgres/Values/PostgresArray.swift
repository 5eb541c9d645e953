/// A type that can be an element of a one-dimensional PostgreSQL array in text form (`{a,"b c",3}`).
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    static var postgresArrayDataType: PostgresDataType { get }
}

extension String: PostgresArrayElement {
    public static var postgresArrayDataType: PostgresDataType { .textArray }
}

extension Int64: PostgresArrayElement {
    public static var postgresArrayDataType: PostgresDataType { .int8Array }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { Element.postgresArrayDataType }

    /// Every element is quoted, so no element text needs to be inspected for delimiters.
    public var postgresText: String? {
        var text = "{"
        for (position, element) in enumerated() {
            if position > 0 { text += "," }
            guard let elementText = element.postgresText else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in elementText {
                if character == "\"" || character == "\\" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText text: String) throws {
        self = try PostgresArrayParser.elements(of: text).map { elementText in
            guard let elementText else { throw PostgresError.decoding("NULL element in a non-optional array") }
            return try Element(postgresText: elementText)
        }
    }
}

/// Parses the text form of a one-dimensional array into its element texts (`nil` for NULL).
enum PostgresArrayParser {
    static func elements(of text: String) throws -> [String?] {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
            throw PostgresError.decoding("'\(text.prefix(64))' is not a one-dimensional array with lower bound 1")
        }
        var elements: [String?] = []
        var index = 1
        let end = bytes.count - 1
        if index == end { return elements }
        while index <= end {
            var element: [UInt8] = []
            var quoted = false
            if bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < end else { break }
                    element.append(bytes[index])
                    index += 1
                }
                guard index < end else { throw PostgresError.decoding("unterminated quoted array element") }
                index += 1
            } else {
                while index < end, bytes[index] != UInt8(ascii: ",") {
                    guard bytes[index] != UInt8(ascii: "{") else {
                        throw PostgresError.decoding("multi-dimensional arrays are not supported")
                    }
                    element.append(bytes[index])
                    index += 1
                }
            }
            let elementText = String(decoding: element, as: UTF8.self)
            elements.append(!quoted && elementText == "NULL" ? nil : elementText)
            guard index == end || bytes[index] == UInt8(ascii: ",") else {
                throw PostgresError.decoding("malformed array '\(text.prefix(64))'")
            }
            index += 1
        }
        return elements
    }
}
