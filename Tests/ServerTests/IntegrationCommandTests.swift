import Foundation
import Postgres
import SecurityService
import TestSupport
import Testing

/// The One API's integrations (API.md §13, issue 18, point 1): seeded, and onboarded, rotated and disabled from the
/// command line, audited; a key finds its integration only while it is the integration's, and the integration active.
@Suite("transact integrations")
struct IntegrationCommandTests {
    static let masterKey = String(repeating: "5a", count: 32)

    @Test("the demo seed's integration and integrations add, rotate-key and disable: each key finds its integration while it is current; only hashes are stored; audited")
    func integrations() async throws {
        try await TestDatabase.with { db, database in
            let url = database.connectionString
            let seeded = try await TransactProcess.run(
                ["seed", "Config/demo-seed.yaml", "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(seeded.status == 0, "\(seeded.output)")
            // A directory that keeps nothing, so that each change is seen at once.
            let directory = IntegrationDirectory(database: db, cacheTTL: .zero)
            let demo = try await directory.integration(forKey: "demo-integration-key-change-me-0123456789")
            #expect(demo?.integrationId == 1 && demo?.clientId == 200 && demo?.channels == [6, 8] && demo?.name == "Demo App")
            #expect(try await directory.integration(forKey: "demo-integration-key-change-me-012345678X") == nil)

            let added = try await TransactProcess.run([
                "integrations", "add", "--integration-id", "7", "--client-id", "200", "--name", "Shop bot", "--channels", "whatsapp",
                "--status-callback-url", "https://shop.example/status", "--database-url", url,
            ])
            #expect(added.status == 0, "\(added.output)")
            let key = try #require(added.output.split(separator: "api_key=").last.map { String($0.prefix { !$0.isWhitespace }) })
            let found = try await directory.integration(forKey: key)
            #expect(found?.integrationId == 7 && found?.channels == [8] && found?.statusCallbackURL == "https://shop.example/status")
            let again = try await TransactProcess.run([
                "integrations", "add", "--integration-id", "7", "--client-id", "200", "--name", "Again", "--database-url", url,
            ])
            #expect(again.status != 0 && again.output.contains("integration 7 exists already"), "\(again.output)")
            let unknownClient = try await TransactProcess.run([
                "integrations", "add", "--integration-id", "8", "--client-id", "4242", "--name", "Nobody's", "--database-url", url,
            ])
            #expect(unknownClient.status != 0)
            let badChannels = try await TransactProcess.run([
                "integrations", "add", "--integration-id", "9", "--client-id", "200", "--name", "X", "--channels", "fax", "--database-url", url,
            ])
            #expect(badChannels.status != 0 && badChannels.output.contains("--channels"))

            let rotated = try await TransactProcess.run(["integrations", "rotate-key", "--integration-id", "7", "--database-url", url])
            let newKey = try #require(rotated.output.split(separator: "api_key=").last.map { String($0.prefix { !$0.isWhitespace }) })
            #expect(newKey != key)
            #expect(try await directory.integration(forKey: key) == nil, "the old key is refused at once")
            #expect(try await directory.integration(forKey: newKey)?.integrationId == 7)
            #expect(try await TransactProcess.run(["integrations", "disable", "--integration-id", "7", "--database-url", url]).status == 0)
            #expect(try await directory.integration(forKey: newKey) == nil, "a disabled integration's key is refused")
            #expect(try await TransactProcess.run(["integrations", "disable", "--integration-id", "99", "--database-url", url]).status != 0)

            // Only hashes are stored; every change is audited, and no record holds a key.
            let stored = try await db.query("SELECT string_agg(api_key_hash, ' ') AS h FROM notifications.integrations").single()
                .decode(String.self, "h")
            #expect(!stored.contains(key) && !stored.contains(newKey) && !stored.contains("demo-integration-key"))
            let audited = try await db.query("""
                SELECT action || ': ' || target || ' ' || coalesce(detail, '') AS line FROM support.audit_log
                WHERE channel = 'cli' ORDER BY id
                """).map { try $0.decode(String.self, "line") }
            #expect(audited.count == 3, "\(audited)")
            #expect(audited[0].hasPrefix("add integration: integration 7 client 200, name Shop bot, channels whatsapp"), "\(audited)")
            #expect(audited[1].hasPrefix("rotate integration key: integration 7") && audited[2].hasPrefix("disable integration: integration 7"))
            #expect(audited.allSatisfy { !$0.contains(key) && !$0.contains(newKey) })
        }
    }
}
