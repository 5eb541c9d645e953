import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import SecurityService
import Seeding
import Server
import Simulators
import Synchronization
import TestSupport
import Testing
import TransactCrypto

/// The whole service against a real PostgreSQL, with the bank and vendor simulators served over real HTTP on
/// loopback: the demo seed, its funding source and vendors switched to the `http` adapters pointing at the
/// simulators, short timeouts and delays so that retries happen within a test.
struct PurchaseHarness: Sendable {
    let db: PostgresClient
    /// The test database (for commands run as processes against it).
    let database: TestDatabase
    let service: String
    let bank: BankRecorder
    let vendor: VendorRecorder
    let token: String
    let http: HTTPClient

    static let demoSeed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/demo-seed.yaml").path

    /// What the bank simulator saw: reserveFunds calls and result deliveries per raasTxnRef.
    final class BankRecorder: Sendable {
        let simulated = BankSimulatorRoutes(silenceSeconds: 3)
        let reserveCalls = Mutex<[String: Int]>([:])
        let results = Mutex<[String: [String]]>([:])
        let clientResults = Mutex<[String: [String]]>([:])
        /// Result deliveries still to refuse with 503 before accepting.
        let refuseResults = Mutex(0)
        /// While set, the bank makes its hold at once but answers reserveFunds only after this long.
        let reserveAnswerDelayMs = Mutex(0)
        /// The `traceparent` of each call, by raasTxnRef and path, in order.
        let traceParents = Mutex<[String: [String: [String]]]>([:])

        func reserveCount(_ reference: String) -> Int { reserveCalls.withLock { $0[reference] ?? 0 } }
        func resultBodies(_ reference: String) -> [String] { results.withLock { $0[reference] ?? [] } }
        func clientResultBodies(_ reference: String) -> [String] { clientResults.withLock { $0[reference] ?? [] } }
        func traceParents(_ reference: String, _ path: String) -> [String] { traceParents.withLock { $0[reference]?[path] ?? [] } }
    }

    final class VendorRecorder: Sendable {
        let simulated = VendorSimulatorRoutes(silenceSeconds: 2)
        let vends = Mutex<[String: [String]]>([:])
        /// While set, the vendor dispenses at once but holds every answer until it is cleared (at most 60 s): a crash
        /// is certain to come before the answer, however slowly a loaded machine runs.
        let holdAnswers = Mutex(false)

        /// The vend references used for a transaction, in order.
        func references(_ raasTxnRef: String) -> [String] { vends.withLock { $0[raasTxnRef] ?? [] } }
    }

    /// The fields of a JSON object.
    static func fields(_ json: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    static func reference(in body: ByteBuffer) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["raasTxnRef"] as? String
    }

    static func bankRouter(_ recorder: BankRecorder) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: BankRecording(recorder: recorder))
        recorder.simulated.add(to: router)
        router.post("clientResult") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 65_536)
            if let reference = reference(in: body) {
                recorder.clientResults.withLock { $0[reference, default: []].append(String(buffer: body)) }
            }
            return Response(status: .ok)
        }
        return router
    }

    struct BankRecording: RouterMiddleware {
        typealias Context = BasicRequestContext
        let recorder: BankRecorder

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: 65_536)
            guard let reference = PurchaseHarness.reference(in: body) else { return try await next(request, context) }
            if let traceParent = request.headers.first(where: { $0.name.canonicalName == "traceparent" })?.value {
                recorder.traceParents.withLock { $0[reference, default: [:]][request.uri.path, default: []].append(traceParent) }
            }
            switch request.uri.path {
            case "/reserveFunds":
                recorder.reserveCalls.withLock { $0[reference, default: 0] += 1 }
                // A bank whose answer does not match the request (an amount it echoes is not the one sent).
                let fields = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
                if let source = fields["sourceIdentifier"] as? String, source.hasSuffix("7777") {
                    let answer: [String: Any] = [
                        "raasTxnRef": reference, "clientTxnRef": fields["clientTxnRef"] ?? "", "reserveFundsTxnRef": "LIAR-1",
                        "responseCode": "0000", "responseMessage": "Funds reserved",
                        "reserveAmount": ((fields["reserveAmount"] as? Int) ?? 0) + 1,
                    ]
                    return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
                }
                let delayMs = recorder.reserveAnswerDelayMs.withLock { $0 }
                if delayMs > 0 {
                    let response = try await next(request, context)
                    try await Task.sleep(for: .milliseconds(delayMs))
                    return response
                }
            case "/transactResult":
                let refuse = recorder.refuseResults.withLock { remaining -> Bool in
                    guard remaining > 0 else { return false }
                    remaining -= 1
                    return true
                }
                recorder.results.withLock { $0[reference, default: []].append(String(buffer: body)) }
                if refuse { return Response(status: .serviceUnavailable) }
            default:
                break
            }
            return try await next(request, context)
        }
    }

    static func vendorRouter(_ recorder: VendorRecorder) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: VendRecording(recorder: recorder))
        recorder.simulated.add(to: router)
        return router
    }

    struct VendRecording: RouterMiddleware {
        typealias Context = BasicRequestContext
        let recorder: VendorRecorder

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var request = request
            if request.uri.path == "/vend" {
                let body = try await request.collectBody(upTo: 65_536)
                let fields = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
                if let reference = fields["reference"] as? String {
                    recorder.vends.withLock { $0[String(reference.prefix(36)), default: []].append(reference) }
                }
                let response = try await next(request, context)
                for _ in 0..<1_200 where recorder.holdAnswers.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
                return response
            }
            return try await next(request, context)
        }
    }

    /// The service's worker settings for tests: quick polls, short leases, short delays.
    static func testConfiguration() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.httpPort = 0
        configuration.openAPIDocumentPath = "/nonexistent"
        configuration.logLevel = .warning
        configuration.workers.pollIntervalMs = 100
        configuration.workers.leaseSeconds = 5
        configuration.workers.vendRetryDelayMs = 50
        configuration.workers.statusPollDelayMs = 100
        configuration.workers.maxStatusPolls = 3
        configuration.workers.reservationLookupRetryDelayMs = 200
        configuration.reservationDeadlineGraceSeconds = 2
        return configuration
    }

    /// The simulators live on loopback and the demo seed pointed at them: what a service under test talks to.
    struct Simulators: Sendable {
        let db: PostgresClient
        let database: TestDatabase
        let bank: BankRecorder
        let vendor: VendorRecorder
        let bankURL: String
        let http: HTTPClient

        /// Calls to the service at `service`, as the demo client with `token`.
        func harness(service: String, token: String) -> PurchaseHarness {
            PurchaseHarness(db: db, database: database, service: service, bank: bank, vendor: vendor, token: token, http: http)
        }
    }

    /// Seeds the demo data, starts the simulators and points the funding source, vendors and client at them.
    /// (`Simulators.harness` calls a service elsewhere, a `transact serve` process, through them.)
    static func withSimulators(_ body: @Sendable (Simulators) async throws -> Void) async throws {
        try await TestDatabase.with(poolSize: 8) { db, database in
            _ = try await SeedLoader(
                database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey),
                secretHashing: Scrypt(logN: 8, blockSize: 8, parallelism: 1)
            ).load(try SeedReader.read(fileAt: demoSeed), file: "demo-seed.yaml")
            let bank = BankRecorder()
            let vendor = VendorRecorder()
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await Application(router: bankRouter(bank), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                    .test(.live) { bankClient in
                        let bankURL = "http://127.0.0.1:\(try #require(bankClient.port))"
                        try await Application(router: vendorRouter(vendor), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                            .test(.live) { vendorClient in
                                let vendorURL = "http://127.0.0.1:\(try #require(vendorClient.port))"
                                try await pointAtSimulators(db, bankURL: bankURL, vendorURL: vendorURL)
                                try await body(Simulators(
                                    db: db, database: database, bank: bank, vendor: vendor, bankURL: bankURL, http: http))
                            }
                    }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    /// The simulators, and the service in this process, live. `prepare` runs on the seeded database before the
    /// service starts.
    static func with(
        prepare: @Sendable (Simulators) async throws -> Void = { _ in },
        adjust: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (PurchaseHarness) async throws -> Void
    ) async throws {
        try await withSimulators { simulators in
            try await prepare(simulators)
            var configuration = testConfiguration()
            configuration.databaseURL = simulators.database.connectionString
            adjust(&configuration)
            let postgres = PostgresClient(configuration: configuration.postgres)
            let application = TransactApplication.make(
                configuration: configuration,
                dependencies: ServiceDependencies(
                    postgres: postgres, schema: try TestDatabase.projectSchema(), masterKey: TestDatabase.masterKey),
                logger: Logger(label: "transact-test", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await application.test(.live) { client in
                let service = "http://127.0.0.1:\(try #require(client.port))"
                try await body(try await PurchaseHarness(simulators, service: service))
            }
        }
    }

    init(_ simulators: Simulators, service: String) async throws {
        db = simulators.db
        database = simulators.database
        self.service = service
        bank = simulators.bank
        vendor = simulators.vendor
        http = simulators.http
        token = try await Self.issueToken(http: simulators.http, service: service)
    }

    init(
        db: PostgresClient, database: TestDatabase, service: String, bank: BankRecorder, vendor: VendorRecorder, token: String,
        http: HTTPClient
    ) {
        self.db = db
        self.database = database
        self.service = service
        self.bank = bank
        self.vendor = vendor
        self.token = token
        self.http = http
    }

    static func pointAtSimulators(_ db: PostgresClient, bankURL: String, vendorURL: String) async throws {
        try await db.query("""
            UPDATE catalogue.funding_sources
            SET adapter = 'http', reserve_funds_url = \(bankURL + "/reserveFunds"),
                transact_result_url = \(bankURL + "/transactResult"), status_lookup_url = \(bankURL + "/statusLookup"),
                reservation_timeout_ms = 1000, initial_retry_delay_ms = 100, retry_delay_ms = 1000
            """)
        try await db.query("UPDATE catalogue.vendors SET adapter = 'http', url = \(vendorURL), vend_timeout_ms = 500")
        try await db.query("UPDATE catalogue.clients SET transact_result_url = \(bankURL + "/clientResult") WHERE client_id = 200")
    }

    static func issueToken(
        http: HTTPClient, service: String, clientId: Int = 200, secret: String = "demo-secret-change-me"
    ) async throws -> String {
        var request = HTTPClientRequest(url: service + "/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials&client_id=\(clientId)&client_secret=\(secret)"))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 65_536)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return try #require(json?["access_token"] as? String)
    }

    // MARK: - Calling the service

    /// A valid Reserve and Transact body for product 110 (airtime, ZAR 5.00–1000.00 in steps of 1.00, no fee).
    static func body(_ overrides: [String: Any] = [:]) -> [String: Any] {
        var fields: [String: Any] = [
            "clientId": 200, "clientTxnRef": "ref-" + UUID().uuidString.prefix(8), "channelId": 7, "channelName": "USSD",
            "channelSessionId": "s1", "productId": 110, "purchaseAmount": 10_000, "feeAmount": 0, "currencyCode": "ZAR",
            "fundingSourceId": 3, "sourceIdentifier": "27831234567", "targetIdentifier": "27831234567",
            "timestamp": "2026-11-29T10:00:00.000Z", "authCode": "1234",
        ]
        for (key, value) in overrides { fields[key] = value }
        return fields
    }

    struct Reply: Sendable {
        let status: Int
        let text: String
        var json: [String: String] {
            ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]).mapValues { "\($0)" }
        }
        var code: String? { json["responseCode"] }
        var raasTxnRef: String? { json["raasTxnRef"] }
    }

    func post(_ path: String, _ fields: [String: Any], token: String? = nil, apiKey: String = "demo-api-key-change-me") async throws -> Reply {
        try await post(path, raw: try JSONSerialization.data(withJSONObject: fields), token: token, apiKey: apiKey)
    }

    static let signatureSecret = "a-signature-secret-for-tests-only"

    func sealedSignatureSecret() throws -> String {
        try SecretSealer(masterKey: TestDatabase.masterKey).seal(Self.signatureSecret, purpose: "client:200:signature")
    }

    func signature(_ raw: Data) -> String {
        Data(HMACSHA256.authenticationCode(key: Array(Self.signatureSecret.utf8), message: Array(raw))).base64EncodedString()
    }

    func post(
        _ path: String, raw: Data, token: String? = nil, apiKey: String = "demo-api-key-change-me", signature: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: service + path)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer " + (token ?? self.token))
        request.headers.add(name: "X-API-Key", value: apiKey)
        if let signature { request.headers.add(name: "Signature", value: signature) }
        request.body = .bytes(ByteBuffer(bytes: raw))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), text: String(buffer: body))
    }

    /// A GET of the service as the demo client.
    func get(_ path: String) async throws -> Reply {
        var request = HTTPClientRequest(url: service + path)
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        request.headers.add(name: "X-API-Key", value: "demo-api-key-change-me")
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), text: String(buffer: body))
    }

    func reserveAndTransact(_ overrides: [String: Any] = [:]) async throws -> Reply {
        try await post("/reserveAndTransact/4.0", Self.body(overrides))
    }

    // MARK: - Looking at the outcome

    struct Transaction: Sendable {
        let state: String
        let resultCode: String?
        let token: String?
        let delivery: String?
        let vendAttempts: Int
    }

    func transaction(_ reference: String) async throws -> Transaction {
        let row = try await db.query("""
            SELECT t.state, t.transact_result_response_code, t.token, t.vend_attempts, d.status AS delivery
            FROM purchases.transactions t LEFT JOIN purchases.result_deliveries d USING (raas_txn_ref)
            WHERE t.raas_txn_ref = \(UUID(uuidString: reference) ?? UUID())
            """).single()
        return Transaction(
            state: try row.decode(String.self, "state"), resultCode: try row.decode(String?.self, "transact_result_response_code"),
            token: try row.decode(String?.self, "token"), delivery: try row.decode(String?.self, "delivery"),
            vendAttempts: try row.decode(Int.self, "vend_attempts"))
    }

    /// Waits until `done` holds for the transaction (at most `seconds`).
    @discardableResult
    func waitFor(
        _ reference: String, seconds: Double = 20, _ done: (Transaction) -> Bool = { $0.delivery == "acknowledged" }
    ) async throws -> Transaction {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while true {
            let transaction = try await transaction(reference)
            if done(transaction) || ContinuousClock.now > deadline { return transaction }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func ledgerViolations() async throws -> [String] {
        try await db.query("SELECT ledger.invariant_violations() AS p UNION ALL SELECT purchases.invariant_violations()")
            .map { try $0.decode(String.self, "p") }
    }
}
