public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `timestamptz` in text form. Every session runs with `TimeZone=UTC` and `DateStyle=ISO`, so the server always
/// writes `YYYY-MM-DD HH:MM:SS[.ffffff]+00`; values are kept to the microsecond, PostgreSQL's precision.
extension Date: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .timestamptz }

    public var postgresText: String? {
        let totalMicroseconds = (timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int(totalMicroseconds / 1_000_000)
        var microseconds = Int(totalMicroseconds) - seconds * 1_000_000
        if microseconds < 0 {
            seconds -= 1
            microseconds += 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let micro = String(microseconds)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "+00"
    }

    public init(postgresText text: String) throws {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) throws -> Int32 {
            guard index + width <= bytes.count else { throw decodingError(Date.self, text) }
            var value: Int32 = 0
            for _ in 0..<width {
                let digit = bytes[index]
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { throw decodingError(Date.self, text) }
                value = value * 10 + Int32(digit - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
        func expect(_ character: Character) throws {
            guard index < bytes.count, bytes[index] == character.asciiValue else { throw decodingError(Date.self, text) }
            index += 1
        }
        var parts = tm()
        parts.tm_year = try number(4) - 1900
        try expect("-")
        parts.tm_mon = try number(2) - 1
        try expect("-")
        parts.tm_mday = try number(2)
        try expect(" ")
        parts.tm_hour = try number(2)
        try expect(":")
        parts.tm_min = try number(2)
        try expect(":")
        parts.tm_sec = try number(2)
        var microseconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                guard digits < 6 else { throw decodingError(Date.self, text) }
                microseconds = microseconds * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            for _ in digits..<6 { microseconds *= 10 }
        }
        // The session time zone is UTC; anything else means the session was changed behind our back.
        guard index + 3 == bytes.count, bytes[index] == UInt8(ascii: "+"), bytes[index + 1] == UInt8(ascii: "0"),
            bytes[index + 2] == UInt8(ascii: "0")
        else { throw decodingError(Date.self, text) }
        let seconds = timegm(&parts)
        self = Date(timeIntervalSince1970: Double(seconds) + Double(microseconds) / 1_000_000)
    }
}
