import Foundation
import Notifications
import Support
import Server
import TestSupport
import Testing

@Suite("Configuration: file, then environment, then flags")
struct ConfigurationTests {
    /// This test's configuration files (a test that writes any removes the folder when it ends).
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("transact-configuration-\(UUID().uuidString)")

    func file(_ yaml: String) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("the environment overrides the file, which overrides the defaults")
    func precedence() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try file("""
            http:
              port: 9000
              host: 0.0.0.0
            database:
              url: "dbname=fromfile"
              poolSize: 3
            logLevel: debug
            """)
        let fromFile = try ServerConfiguration.load(file: url, environment: [:])
        #expect(fromFile.httpPort == 9000)
        #expect(fromFile.httpHost == "0.0.0.0")
        #expect(fromFile.databaseURL == "dbname=fromfile")
        #expect(fromFile.databasePoolSize == 3)
        #expect(fromFile.logLevel == .debug)
        #expect(fromFile.databaseStatementTimeoutMs == ServerConfiguration().databaseStatementTimeoutMs)

        let overridden = try ServerConfiguration.load(file: url, environment: [
            "TRANSACT_HTTP_PORT": "9100", "DATABASE_URL": "postgresql://db/transact", "TRANSACT_DATABASE_POOL_SIZE": "12",
        ])
        #expect(overridden.httpPort == 9100)
        #expect(overridden.databaseURL == "postgresql://db/transact")
        #expect(overridden.databasePoolSize == 12)
        // The project's own file loads.
        let projectFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/transact.yaml")
        let project = try ServerConfiguration.load(file: projectFile, environment: [:])
        #expect(project.httpPort == 8080)
        #expect(project == ServerConfiguration(), "Config/transact.yaml states every default")
        // The file states the defaults of the notification settings.
        #expect(project.notifications == NotificationConfiguration())
        #expect(project.support == SupportConfiguration())
    }

    @Test("the migrations and the OpenAPI document built into the binary are the files on disk")
    func builtInFiles() throws {
        let builtIn = ServerConfiguration()
        #expect(builtIn.migrationsDirectory.isEmpty && builtIn.openAPIDocumentPath.isEmpty)
        let schema = try builtIn.databaseSchema()
        #expect(schema == (try TestDatabase.projectSchema()))
        #expect(schema.migrations.count > 20 && schema.repeatable.files.count > 5)
        let onDisk = try String(contentsOf: TransactProcess.projectRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(builtIn.openAPIDocument() == onDisk)
        // A configured folder or file is read instead (developing them without a rebuild); a missing file is nil.
        var configured = ServerConfiguration()
        configured.migrationsDirectory = TestDatabase.migrationsDirectory.path
        configured.openAPIDocumentPath = "/nonexistent/openapi.yaml"
        #expect(try configured.databaseSchema() == schema)
        #expect(configured.openAPIDocument() == nil)
    }

    @Test("a notification gateway needs the gateway secret: without it, serve is refused")
    func gatewaySecret() throws {
        let gateway = ["TRANSACT_NOTIFICATIONS_SMS_GATEWAY_URL": "https://gateway.example/messages"]
        let withoutSecret = try ServerConfiguration.load(file: nil, environment: gateway)
        #expect(withoutSecret.notifications.gatewayURLs == [.sms: "https://gateway.example/messages"])
        #expect(withoutSecret.notificationGatewayProblem != nil)
        let withSecret = try ServerConfiguration.load(
            file: nil, environment: gateway.merging(["TRANSACT_NOTIFICATIONS_GATEWAY_SECRET": "s3cret"]) { $1 })
        #expect(withSecret.notificationGatewayProblem == nil)
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(file: nil, environment: ["TRANSACT_NOTIFICATIONS_SMS_GATEWAY_URL": "ftp://x"])
        }
    }

    @Test("unknown settings and invalid values are refused with the setting's name")
    func refusals() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let misspelt = try file("htp:\n  port: 1\n")
        #expect(throws: ConfigurationError.invalid(source: misspelt.path, key: "htp.port", reason: "unknown setting")) {
            try ServerConfiguration.load(file: misspelt, environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(file: try file("database:\n  poolSize: 0\n"), environment: [:])
        }
        #expect(throws: ConfigurationError.invalid(source: "environment", key: "TRANSACT_HTTP_PORT", reason: "invalid value 'eighty'")) {
            try ServerConfiguration.load(file: nil, environment: ["TRANSACT_HTTP_PORT": "eighty"])
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(file: nil, environment: ["TRANSACT_HTTP_PATH_PREFIX": "no-leading-slash"])
        }
    }
}
