import DatabaseMigrations
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Postgres
import SecurityService
import Seeding
import Server
import ServiceHTTP
import TestSupport
import Testing
import TransactCrypto

/// The demo catalogue in a database of its own, the service's router over it, and a token of the demo client
/// (200). A second client (201) sells product 110 too, so that one client's data can be shown not to reach another.
struct LookupHarness {
    let db: PostgresClient
    let database: TestDatabase
    let dependencies: ServiceDependencies
    let headers: HTTPFields

    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let demoSeed = projectRoot.appendingPathComponent("Config/demo-seed.yaml").path
    static let fixture = projectRoot.appendingPathComponent("Benchmarks/fixtures/lookup-transactions.sql").path

    static func with(catalogueCacheTTL: Duration = .seconds(30), _ body: (LookupHarness) async throws -> Void) async throws {
        try await TestDatabase.with { db, database in
            // The lookups read through a pool of their own, on generic plans, as `transact serve` sets them up.
            var lookupConfiguration = database.configuration(poolSize: 2)
            lookupConfiguration.forceGenericPlans = true
            lookupConfiguration.applicationName = Self.lookupApplicationName
            try await with(
                db: db, database: database, lookupConfiguration: lookupConfiguration, lookupOnReplica: false,
                catalogueCacheTTL: catalogueCacheTTL, body)
        }
    }

    /// The same on a `ReplicatedCluster`: the database on its primary (migrated here), the lookup pool on its standby.
    static func withReplica(_ cluster: ReplicatedCluster, _ body: (LookupHarness) async throws -> Void) async throws {
        let db = PostgresClient(configuration: PostgresConfiguration(connectionString: cluster.primaryURL, poolSize: 4))
        do {
            try await MigrationRunner(client: db, schema: try TestDatabase.projectSchema()).migrate()
            var lookupConfiguration = PostgresConfiguration(connectionString: cluster.standbyURL, poolSize: 2)
            lookupConfiguration.forceGenericPlans = true
            lookupConfiguration.applicationName = Self.lookupApplicationName
            try await with(
                db: db, database: TestDatabase(name: "postgres", connectionString: cluster.primaryURL),
                lookupConfiguration: lookupConfiguration, lookupOnReplica: true, catalogueCacheTTL: .seconds(30), body)
        } catch {
            await db.shutdown()
            throw error
        }
        await db.shutdown()
    }

    private static func with(
        db: PostgresClient, database: TestDatabase, lookupConfiguration: PostgresConfiguration, lookupOnReplica: Bool,
        catalogueCacheTTL: Duration, _ body: (LookupHarness) async throws -> Void
    ) async throws {
        try await seed(db, file: demoSeed)
        try await db.query("""
            INSERT INTO catalogue.clients (client_id, name, role, secret_hash, api_key_hash)
            VALUES (201, 'Other Bank', 'client', 'unused', repeat('0', 64))
            """)
        try await db.query("INSERT INTO catalogue.client_products (client_id, product_id) VALUES (201, 110)")
        let directory = ClientDirectory(database: db)
        let keys = SigningKeyStore(database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey), retiredKeyGrace: .seconds(360))
        let token = try await TokenIssuer(
            directory: directory, keys: keys, issuer: "transact", lifetimeSeconds: 300, throttle: FailureThrottle()
        ).issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret-change-me").accessToken
        let lookupPool = PostgresClient(configuration: lookupConfiguration)
        let dependencies = ServiceDependencies(
            postgres: db, lookupPool: lookupPool, lookupOnReplica: lookupOnReplica, schema: try TestDatabase.projectSchema(),
            masterKey: TestDatabase.masterKey, catalogueCacheTTL: catalogueCacheTTL)
        do {
            try await body(LookupHarness(
                db: db, database: database, dependencies: dependencies,
                headers: [.authorization: "Bearer \(token)", HTTPField.Name("X-API-Key")!: "demo-api-key-change-me"]))
        } catch {
            await lookupPool.shutdown()
            throw error
        }
        await lookupPool.shutdown()
    }

    /// The lookup pool's connections, as `pg_stat_activity` names them.
    static let lookupApplicationName = "transact-lookups"

    /// Terminates every backend of the lookup pool, as a fail-over or a restart does, and waits until they are gone;
    /// returns how many there were.
    func terminateLookupConnections() async throws -> Int {
        let pids = try await db.query("""
            SELECT pid FROM pg_stat_activity WHERE datname = \(database.name) AND application_name = \(Self.lookupApplicationName)
            """).map { try $0.decode(Int64.self, "pid") }
        for pid in pids { try await db.query("SELECT pg_terminate_backend(\(pid)::integer)") }
        for _ in 0..<250 {
            let left = try await db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ANY(\(pids)::integer[])")
                .single().decode(Int.self, "n")
            if left == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return pids.count
    }

    static func seed(_ db: PostgresClient, file: String) async throws {
        _ = try await SeedLoader(
            database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey),
            secretHashing: Scrypt(logN: 8, blockSize: 8, parallelism: 1)
        ).load(try SeedReader.read(fileAt: file), file: (file as NSString).lastPathComponent)
    }

    /// Runs `body` against the service's router (every module's routes and middleware), in process.
    func serve(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = TransactApplication.makeRouter(configuration: ServerConfiguration(), dependencies: dependencies)
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    /// A purchase written straight into the table, in the state a lookup needs to see: a history made up rather than
    /// lived, so it is written as a replica would (the triggers that allow only a purchase's real moves stay out),
    /// with what the purchase functions write beside it for the lookups (the bank's reference, a success, the open
    /// job of one in flight: never due, as there is no vendor here).
    func addPurchase(
        _ clientTxnRef: String, client: Int64 = 200, buyer: String, target: String? = nil, product: Int64 = 110,
        productType: Int64 = 3, channel: Int64 = 3, amount: Int64 = 1_000, state: String = "success", token: String? = nil,
        reserveFundsTxnRef: String? = nil, minutesAgo: Int = 0
    ) async throws -> String {
        let final = ["success", "failed"].contains(state)
        let code: String? = state == "success" ? "0000" : state == "failed" ? "2213" : nil
        return try await db.withTransaction { session in
            _ = try await session.query("SET LOCAL session_replication_role = replica")
            let reference = try await session.query("""
            INSERT INTO purchases.transactions (
                raas_txn_ref, client_id, client_txn_ref, flow, request_fingerprint, state, state_cause, product_id,
                product_type_id, vendor_id, funding_source_id, channel_id, channel_name, channel_session_id, source_identifier,
                target_identifier, currency_code, purchase_amount, fee_amount, request_timestamp, reserve_funds_txn_ref,
                reserve_amount, vend_amount, client_share_amount, vendor_share_amount, settlement_amount, response_code,
                response_message, reserve_funds_response_code, transact_result_response_code, token, created_at, final_at)
            VALUES (gen_random_uuid(), \(client), \(clientTxnRef), 'reserve_and_transact', repeat('a', 64), \(state), 'test',
                    \(product), \(productType), 100, 3, \(channel), 'USSD', 'session1', \(buyer), \(target ?? buyer), 'ZAR',
                    \(amount), 0, '2026-11-29T10:00:00Z', \(reserveFundsTxnRef), \(amount), \(amount), \(amount / 10),
                    \(amount / 20), \(amount - amount / 10), '0000', 'Processing request (funds reserved)', '0000', \(code),
                    \(token), now() - make_interval(mins => \(Int64(minutesAgo))::integer),
                    CASE WHEN \(final) THEN now() - make_interval(mins => \(Int64(minutesAgo))::integer) END)
            RETURNING raas_txn_ref::text AS ref
            """).first!.decode(String.self, "ref")
            _ = try await session.query("""
                WITH t AS (SELECT * FROM purchases.transactions WHERE raas_txn_ref = \(reference)::uuid),
                refs AS (INSERT INTO purchases.bank_references (client_id, reserve_funds_txn_ref, raas_txn_ref)
                         SELECT client_id, reserve_funds_txn_ref, raas_txn_ref FROM t WHERE reserve_funds_txn_ref IS NOT NULL),
                succeeded AS (INSERT INTO purchases.successes (client_id, source_identifier, product_id, created_at, raas_txn_ref,
                                                                channel_id, product_type_id, purchase_amount, target_identifier, token)
                              SELECT client_id, source_identifier, product_id, created_at, raas_txn_ref, channel_id, product_type_id,
                                     purchase_amount, target_identifier, token
                              FROM t WHERE state = 'success')
                INSERT INTO purchases.jobs (raas_txn_ref, kind, due_at, client_id, source_identifier, purchase_created_at,
                                            target_identifier, product_id, purchase_amount)
                SELECT raas_txn_ref, 'vend', 'infinity', client_id, source_identifier, created_at, target_identifier, product_id,
                       purchase_amount
                FROM t WHERE final_at IS NULL
                """)
            return reference
        }
    }

    /// Loads `count` fixture purchases (Benchmarks/fixtures/lookup-transactions.sql) of client 200, then ANALYZE.
    func loadFixture(count: Int64, buyers: Int64) async throws {
        let script = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        try await db.withConnection { session in
            _ = try await session.execute(script: script)
            _ = try await session.query("SELECT fixture.load_transactions(200, 1, \(count), \(buyers))")
            _ = try await session.execute(script: "RESET session_replication_role; ANALYZE purchases.transactions")
        }
    }
}

/// A response's status and its body as JSON.
struct Answer {
    let status: HTTPResponse.Status
    let text: String

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var responseCode: String? { object["responseCode"] as? String }
    var responseMessage: String? { object["responseMessage"] as? String }
}

extension LookupHarness {
    func get(_ client: some TestClientProtocol, _ uri: String) async throws -> Answer {
        try await client.execute(uri: uri, method: .get, headers: headers) { Answer(status: $0.status, text: String(buffer: $0.body)) }
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String) async throws -> Answer {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            Answer(status: $0.status, text: String(buffer: $0.body))
        }
    }
}
