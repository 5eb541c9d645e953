import OutboundHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Notifications
import Postgres
import SecurityService
import Seeding
import Server
import ServiceHTTP
import Synchronization
import TestSupport
import Testing
import TransactCrypto

/// The demo catalogue in a database of its own, the service's routes live on loopback, tokens of the demo client
/// (200) and of support (9001), and the notification workers on demand, with short delays so that tests run fast.
struct NotificationHarness {
    let db: PostgresClient
    let dependencies: ServiceDependencies
    let configuration: ServerConfiguration
    let clientHeaders: HTTPFields
    let supportHeaders: HTTPFields

    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let gatewaySecret = "test-gateway-secret"

    static func with(_ body: (NotificationHarness) async throws -> Void) async throws {
        try await TestDatabase.with { db, _ in
            let file = projectRoot.appendingPathComponent("Config/demo-seed.yaml").path
            _ = try await SeedLoader(
                database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey),
                secretHashing: Scrypt(logN: 8, blockSize: 8, parallelism: 1)
            ).load(try SeedReader.read(fileAt: file), file: "demo-seed.yaml")
            let issuer = TokenIssuer(
                directory: ClientDirectory(database: db),
                keys: SigningKeyStore(database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey), retiredKeyGrace: .seconds(360)),
                issuer: "transact", lifetimeSeconds: 300, throttle: FailureThrottle())
            func headers(_ client: String, _ secret: String, _ key: String) async throws -> HTTPFields {
                let token = try await issuer.issue(grantType: "client_credentials", clientId: client, clientSecret: secret).accessToken
                return [.authorization: "Bearer \(token)", HTTPField.Name("X-API-Key")!: key, .contentType: "application/json"]
            }
            var configuration = ServerConfiguration()
            configuration.notifications.gatewaySecret = gatewaySecret
            configuration.notifications.pollIntervalMs = 50
            configuration.notifications.sendRetryDelayMs = 50
            configuration.notifications.maxSendRetryDelayMs = 100
            configuration.notifications.maxSendAttempts = 3
            configuration.notifications.callbackRetryDelayMs = 50
            configuration.notifications.callbackMaxRetryDelayMs = 100
            configuration.notifications.leaseSeconds = 5
            try await body(NotificationHarness(
                db: db,
                dependencies: ServiceDependencies(postgres: db, schema: try TestDatabase.projectSchema(), masterKey: TestDatabase.masterKey),
                configuration: configuration,
                clientHeaders: try await headers("200", "demo-secret-change-me", "demo-api-key-change-me"),
                supportHeaders: try await headers("9001", "support-secret-change-me", "support-api-key-change-me")))
        }
    }

    /// The service's router, live on a loopback port (the gateway's receipts need a real address).
    func serve(_ body: @Sendable (_ client: any TestClientProtocol, _ baseURL: String) async throws -> Void) async throws {
        let router = TransactApplication.makeRouter(configuration: configuration, dependencies: dependencies)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { client in try await body(client, "http://127.0.0.1:\(try #require(client.port))") }
    }

    /// Runs `body` while `processes` sets of notification workers run, as in that many serve processes.
    func withWorkers(
        processes: Int = 1, channels: ChannelDirectory? = nil, _ body: () async throws -> Void
    ) async throws {
        let sealer = SecretSealer(masterKey: TestDatabase.masterKey)
        let tasks = (0..<processes).map { _ in
            Task { [db, configuration] in
                try await NotificationWorkers(
                    database: db, listener: nil, channels: channels ?? ChannelDirectory(configuration: configuration.notifications),
                    clientEndpoints: ClientEndpoints(
                        database: db, open: { try sealer.open($0, purpose: $1) }, url: .notificationCallback, cacheTTL: .zero),
                    configuration: configuration.notifications, logger: Logger(label: "test.notifications")
                ).run()
            }
        }
        defer { tasks.forEach { $0.cancel() } }
        try await body()
        for task in tasks {
            task.cancel()
            _ = await task.result
        }
    }

    /// Waits (up to 20 s) until the message's status is not pending, or is `code`; its history's codes.
    @discardableResult
    func waitForHistory(_ notificationId: String, until done: @escaping ([Int]) -> Bool = NotificationHarness.settled) async throws -> [Int] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while true {
            let codes = try await history(notificationId)
            if done(codes) || clock.now > deadline { return codes }
            try await Task.sleep(for: .milliseconds(30))
        }
    }

    /// Settled: the last status is an outcome (not 2, 3 or 4), and a delivered WhatsApp message has been read too.
    static func settled(_ codes: [Int]) -> Bool {
        guard let last = codes.last else { return false }
        return ![2, 3, 4].contains(last)
    }

    func history(_ notificationId: String) async throws -> [Int] {
        try await db.query("""
            SELECT s.status_code FROM notifications.status_changes s
            WHERE s.notification_id = \(notificationId)::uuid ORDER BY s.sequence
            """).map { try $0.decode(Int.self, "status_code") }
    }

    func invariantViolations() async throws -> [String] {
        try await NotificationStore(database: db).invariantViolations()
    }
}

/// A response's status and its body as JSON.
struct Answer {
    let status: HTTPResponse.Status
    let text: String

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var responseMessage: String? { object["responseMessage"] as? String }
    var notificationId: String { object["notificationId"] as? String ?? "" }
    var statusCode: Int? { object["statusCode"] as? Int }
}

extension NotificationHarness {
    func request(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil,
        as headers: HTTPFields? = nil
    ) async throws -> Answer {
        try await client.execute(
            uri: uri, method: method, headers: headers ?? clientHeaders, body: body.map { ByteBuffer(string: $0) }
        ) { Answer(status: $0.status, text: String(buffer: $0.body)) }
    }

    /// POSTs a message of client 200 with these fields (JSON text after the required ones).
    func send(
        _ client: some TestClientProtocol, ref: String, to destination: String = "27831234567", channel: Int = 6,
        extra: String = "", as headers: HTTPFields? = nil
    ) async throws -> Answer {
        try await request(client, .post, "/notification/1.0", """
            {"clientId": 200, "channelId": \(channel), "destinationIdentifier": "\(destination)", "message": "Hello",
             "clientNotificationRef": "\(ref)"\(extra)}
            """, as: headers)
    }
}

/// A client's notification callback endpoint on loopback that records each body, refusing the first `refusals`.
final class CallbackRecorder: Sendable {
    let bodies = Mutex<[String]>([])
    let refusalsLeft: Mutex<Int>

    init(refusals: Int) {
        refusalsLeft = Mutex(refusals)
    }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("callback") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1_024)
            self.bodies.withLock { $0.append(String(buffer: body)) }
            let refuse = self.refusalsLeft.withLock { left in
                defer { left = max(left - 1, 0) }
                return left > 0
            }
            return Response(status: refuse ? .internalServerError : .ok)
        }
        return router
    }
}
