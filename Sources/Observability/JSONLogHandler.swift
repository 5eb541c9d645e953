#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// One JSON object per line on standard error (`logFormat: json`): `time` (UTC, milliseconds), `level`,
/// `message`, `logger`, `source`, and the metadata at the top level — the request id, `raasTxnRef` or
/// `notificationId` where the code knows them, and `trace_id`/`span_id` from the metadata provider. A value under a
/// key that names a credential is written as `[redacted]`, whatever the code that logged it meant: no secret, token,
/// API key, password or auth code reaches the log by accident.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    /// Where the lines go: standard error unless a test collects them.
    public typealias Sink = @Sendable (String) -> Void

    public init(
        label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        sink: @escaping Sink = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    /// One `write(2)` per line, so that concurrent lines do not interleave (a pipe takes up to 4 KiB whole); the
    /// rest of a partial write follows at once.
    public static let standardError: Sink = { line in
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        var line = "{"
        Self.appendField("time", Self.timestamp(), to: &line, first: true)
        Self.appendField("level", event.level.rawValue, to: &line)
        Self.appendField("message", "\(event.message)", to: &line)
        Self.appendField("logger", label, to: &line)
        Self.appendField("source", event.source, to: &line)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.reserved.contains(key) {
            line += ","
            Self.appendString(key, to: &line)
            line += ":"
            if Self.namesACredential(key) {
                Self.appendString("[redacted]", to: &line)
            } else {
                Self.appendValue(value, to: &line)
            }
        }
        line += "}\n"
        sink(line)
    }

    /// The fields every line has; metadata under the same names would make two keys of one object.
    static let reserved: Set<String> = ["time", "level", "message", "logger", "source"]

    /// Keys whose values are never written, by the words they contain (case and separators ignored).
    static func namesACredential(_ key: String) -> Bool {
        let folded = String(key.lowercased().filter { $0.isLetter || $0.isNumber })
        return ["secret", "password", "passwd", "token", "apikey", "authorization", "authcode", "authorisationcode",
                "authorizationcode", "cookie", "masterkey", "privatekey", "pin"]
            .contains { word in word == "pin" ? folded == "pin" : folded.contains(word) }
    }

    private static func appendField(_ key: String, _ value: String, to line: inout String, first: Bool = false) {
        if !first { line += "," }
        appendString(key, to: &line)
        line += ":"
        appendString(value, to: &line)
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendValue(element, to: &line)
            }
            line += "]"
        case .dictionary(let entries):
            line += "{"
            for (index, (key, element)) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                if namesACredential(key) { appendString("[redacted]", to: &line) } else { appendValue(element, to: &line) }
            }
            line += "}"
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped (RFC 8259 §7).
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// Now, UTC, as `2026-12-03T18:40:12.345Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T"
            + "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))."
            + "\(padded(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
