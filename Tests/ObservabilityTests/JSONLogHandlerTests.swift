import Foundation
import Logging
import Observability
import Synchronization
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// The lines a handler wrote.
    final class Lines: Sendable {
        let collected = Mutex<[String]>([])
        var all: [String] { collected.withLock { $0 } }
        func append(_ line: String) { collected.withLock { $0.append(line) } }
    }

    func logger(_ lines: Lines, provider: Logger.MetadataProvider? = nil) -> Logger {
        Logger(label: "transact") { label in
            JSONLogHandler(label: label, level: .info, metadataProvider: provider, sink: { lines.append($0) })
        }
    }

    @Test("each line is one JSON object with the time, level, message and the ids the code set, provider's too")
    func linesCarryTheIds() throws {
        let lines = Lines()
        var log = logger(lines, provider: Logger.MetadataProvider { ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"] })
        log[metadataKey: "requestId"] = "req-1"
        log.info("Purchase work failed; it is retried", metadata: [
            "raasTxnRef": "0b6f3c52-4d0a-4e55-9f6e-3c1a2f1f0b11", "attempts": .stringConvertible(3),
            "party": .dictionary(["name": "bank", "ids": .array(["1", "2"])]),
        ])
        log.debug("below the level: not written")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "Purchase work failed; it is retried")
        #expect(object["logger"] as? String == "transact")
        #expect((object["time"] as? String)?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        #expect(object["requestId"] as? String == "req-1")
        #expect(object["raasTxnRef"] as? String == "0b6f3c52-4d0a-4e55-9f6e-3c1a2f1f0b11")
        #expect(object["attempts"] as? String == "3")
        #expect(object["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(object["span_id"] as? String == "00f067aa0ba902b7")
        #expect(((object["party"] as? [String: Any])?["ids"] as? [String]) == ["1", "2"])
    }

    @Test("a credential's value is never written, whatever its key's spelling; hostile text stays inside its string")
    func credentialsRedacted() throws {
        let lines = Lines()
        let log = logger(lines)
        let secrets = ["client_secret", "X-API-Key", "Authorization", "authCode", "access_token", "masterKey", "password", "pin"]
        log.warning("refused\n{\"level\":\"forged\"}\u{0}\u{2028}", metadata: Dictionary(uniqueKeysWithValues: secrets.map {
            ($0, Logger.MetadataValue.string("s3cr3t-\($0)"))
        }).merging(["clientId": "200", "nested": .dictionary(["apiKey": "s3cr3t-nested"])]) { a, _ in a })
        let line = try #require(lines.all.first)
        #expect(!line.contains("s3cr3t"), "\(line)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in secrets { #expect(object[key] as? String == "[redacted]", "\(key)") }
        #expect(object["clientId"] as? String == "200")
        #expect(object["message"] as? String == "refused\n{\"level\":\"forged\"}\u{0}\u{2028}")
        #expect(object["level"] as? String == "warning")
        // Words that merely contain "pin" are not credentials.
        #expect(!JSONLogHandlerTestsHelper.redacts("shipping"))
    }
}

enum JSONLogHandlerTestsHelper {
    static func redacts(_ key: String) -> Bool {
        let lines = JSONLogHandlerTests.Lines()
        Logger(label: "t") { JSONLogHandler(label: $0, level: .info, metadataProvider: nil, sink: { lines.append($0) }) }
            .info("x", metadata: [key: "visible"])
        return !(lines.all.first ?? "").contains("visible")
    }
}
