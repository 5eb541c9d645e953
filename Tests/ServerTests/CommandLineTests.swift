import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Postgres
import TestSupport
import Testing

/// The `transact` executable, run as a process, as an operator would.
@Suite("transact migrate and serve")
struct CommandLineTests {
    static let masterKey = String(repeating: "ab", count: 32)

    @Test("serve refuses to start without a valid TRANSACT_MASTER_KEY")
    func masterKeyRequired() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        let missing = try await TransactProcess.run(["serve", "--database-url", "dbname=unused"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("TRANSACT_MASTER_KEY is not set"))
        let short = try await TransactProcess.run(["serve", "--database-url", "dbname=unused"], environment: ["TRANSACT_MASTER_KEY": "abc"])
        #expect(short.status != 0)
        #expect(short.output.contains("64 hexadecimal characters"))
    }

    @Test("migrate, seed, serve (from any folder), tokens, clients and keys commands, a wrong master key refused, and a drained stop on SIGTERM")
    func migrateThenServe() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        // The migrations and the OpenAPI document are built in: migrate and serve run where there is neither.
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("transact-elsewhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try await TestDatabase.with(migrated: false) { _, database in
            let url = database.connectionString
            let refused = try await TransactProcess.run(["serve", "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(refused.status != 0)
            #expect(refused.output.contains("run `transact migrate`"), "\(refused.output)")

            let migrated = try await TransactProcess.run(["migrate", "--database-url", url], in: elsewhere)
            #expect(migrated.status == 0, "\(migrated.output)")
            #expect(migrated.output.contains("Applied 0001_ledger.sql"))
            let again = try await TransactProcess.run(["migrate", "--database-url", url])
            #expect(again.output.contains("Database is current"))

            // The demo seed loads into the migrated database; a bad file is refused naming the entry.
            let seedWithoutKey = try await TransactProcess.run(["seed", "Config/demo-seed.yaml", "--database-url", url])
            #expect(seedWithoutKey.status != 0 && seedWithoutKey.output.contains("TRANSACT_MASTER_KEY"))
            let seeded = try await TransactProcess.run(
                ["seed", "Config/demo-seed.yaml", "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(seeded.status == 0, "\(seeded.output)")
            #expect(seeded.output.contains("Loaded Config/demo-seed.yaml: 3 clients, 4 products"))
            let badFile = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
            try "clients:\n  - { clientId: 7, name: X, role: nobody }\n".write(to: badFile, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: badFile) }
            let badSeed = try await TransactProcess.run(
                ["seed", badFile.path, "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(badSeed.status != 0)
            #expect(badSeed.output.contains("clients[0] (clientId 7): role: must be one of"), "\(badSeed.output)")

            let port = Int.random(in: 20_000...40_000)
            let drainSeconds = 2
            let (server, serverLog) = try TransactProcess.start(
                ["serve", "--database-url", url, "--port", String(port)],
                environment: [
                    "TRANSACT_MASTER_KEY": Self.masterKey, "TRANSACT_SECURITY_CLIENT_CACHE_TTL_MS": "0",
                    "TRANSACT_HTTP_DRAIN_SECONDS": String(drainSeconds), "TRANSACT_LOG_FORMAT": "json",
                ],
                in: elsewhere)
            // A failed expectation must not leave the server running (it would retry a dropped database forever).
            defer {
                if server.isRunning { kill(server.processIdentifier, SIGKILL) }
                try? FileManager.default.removeItem(at: serverLog)
            }
            let base = "http://127.0.0.1:\(port)"
            var readyStatus: Int?
            for _ in 0..<100 where readyStatus == nil {
                try await Task.sleep(for: .milliseconds(100))
                readyStatus = try? await TransactProcess.http("GET", base + "/health/ready").status
            }
            #expect(readyStatus == 200, "\((try? String(contentsOf: serverLog, encoding: .utf8)) ?? "")")
            let document = try await TransactProcess.http("GET", base + "/openapi.yaml")
            #expect(document.status == 200 && document.body.hasPrefix("openapi: 3.1"), "\(document.status)")

            // The demo client gets a token and uses it; the JWKS publishes the key that signed it.
            func token(_ clientId: String, _ secret: String) async throws -> (status: Int, token: String?) {
                let (status, body) = try await TransactProcess.http(
                    "POST", base + "/token", body: "grant_type=client_credentials&client_id=\(clientId)&client_secret=\(secret)",
                    headers: ["Content-Type": "application/x-www-form-urlencoded"])
                let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                return (status, json?["access_token"] as? String)
            }
            let (tokenStatus, demoToken) = try await token("200", "demo-secret-change-me")
            #expect(tokenStatus == 200)
            let check = try await TransactProcess.http(
                "GET", base + "/auth/check",
                headers: ["Authorization": "Bearer \(demoToken ?? "")", "X-API-Key": "demo-api-key-change-me"])
            #expect(check.status == 200 && check.body.contains(#""clientId":200"#), "\(check)")

            // The demo set-up completes a purchase (simulated bank and vendor, in process).
            let purchase = try await TransactProcess.http(
                "POST", base + "/reserveAndTransact/4.0",
                body: #"{"clientId":200,"clientTxnRef":"demo-1","channelId":7,"channelName":"USSD","channelSessionId":"s1","productId":719,"purchaseAmount":10000,"feeAmount":200,"currencyCode":"ZAR","fundingSourceId":3,"sourceIdentifier":"27831234567","targetIdentifier":"4001234567","timestamp":"2026-11-29T10:00:00Z"}"#,
                headers: ["Authorization": "Bearer \(demoToken ?? "")", "X-API-Key": "demo-api-key-change-me", "Content-Type": "application/json"])
            #expect(purchase.status == 200 && purchase.body.contains(#""responseCode":"0000""#), "\(purchase)")
            let observer = PostgresClient(configuration: PostgresConfiguration(connectionString: url, poolSize: 1))
            var delivery: String?
            for _ in 0..<100 where delivery != "acknowledged" {
                try await Task.sleep(for: .milliseconds(100))
                delivery = try await observer.query("SELECT status FROM purchases.result_deliveries").first?.decode(String?.self, "status") ?? nil
            }
            await observer.shutdown()
            #expect(delivery == "acknowledged")

            // Onboarding and rotation from the command line take effect on the running service.
            let added = try await TransactProcess.run(["clients", "add", "--client-id", "555", "--name", "New Bank", "--database-url", url])
            #expect(added.status == 0, "\(added.output)")
            let newSecret = added.output.split(separator: " ").first { $0.hasPrefix("client_secret=") }?.dropFirst("client_secret=".count)
            #expect(try await token("555", String(newSecret ?? "")).status == 200)
            let rotated = try await TransactProcess.run(["clients", "rotate-secret", "--client-id", "200", "--database-url", url])
            #expect(rotated.status == 0 && rotated.output.contains("client_secret="))
            let revoked = try await TransactProcess.http(
                "GET", base + "/auth/check",
                headers: ["Authorization": "Bearer \(demoToken ?? "")", "X-API-Key": "demo-api-key-change-me"])
            #expect(revoked.status == 401 && revoked.body.contains("invalid_token"))
            #expect(try await TransactProcess.run(["clients", "disable", "--client-id", "555", "--database-url", url]).status == 0)
            #expect(try await token("555", String(newSecret ?? "")).status == 400)
            let keyRotation = try await TransactProcess.run(["keys", "rotate", "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(keyRotation.status == 0 && keyRotation.output.contains("is now active"), "\(keyRotation.output)")
            try await Task.sleep(for: .milliseconds(1_100))
            let jwks = try await TransactProcess.http("GET", base + "/.well-known/jwks.json")
            #expect(jwks.body.components(separatedBy: #""kty":"OKP""#).count - 1 == 2, "\(jwks.body)")
            #expect(try await TransactProcess.run(["clients", "disable", "--client-id", "4242", "--database-url", url]).status != 0)

            // clients topup: messaging credit; a repeated --reference is booked once; another currency than the
            // client's is refused.
            let topUp = ["clients", "topup", "--client-id", "200", "--amount", "5000", "--reference", "pay-1", "--database-url", url]
            let toppedUp = try await TransactProcess.run(topUp)
            #expect(toppedUp.status == 0 && toppedUp.output.contains("messaging_credit_available="), "\(toppedUp.output)")
            #expect(try await TransactProcess.run(topUp).status == 0)
            let ledger = PostgresClient(configuration: PostgresConfiguration(connectionString: url, poolSize: 1))
            let topUps = try await ledger.query("""
                SELECT count(*) AS n, sum(p.amount) AS credited FROM ledger.transfers t
                JOIN ledger.postings p ON p.transfer_id = t.id JOIN ledger.accounts a ON a.id = p.account_id
                WHERE t.description = 'messaging credit top-up' AND a.code = 'client:200:messaging-credit:ZAR'
                """).single()
            await ledger.shutdown()
            #expect(try topUps.decode(Int.self, "n") == 1 && topUps.decode(Int64.self, "credited") == -5_000)
            let otherCurrency = try await TransactProcess.run(
                ["clients", "topup", "--client-id", "200", "--amount", "1", "--currency", "NGN", "--database-url", url])
            #expect(otherCurrency.status != 0)
            #expect(try await TransactProcess.run(["clients", "topup", "--client-id", "200", "--amount", "0", "--database-url", url]).status != 0)

            // Every administrative command that changed something is in the audit log, by the operator who ran it,
            // and no record holds the secret or key the command printed; the refused ones changed nothing and left none.
            let auditor = PostgresClient(configuration: PostgresConfiguration(connectionString: url, poolSize: 1))
            let audited = try await auditor.query("""
                SELECT action, target, coalesce(detail, '') AS detail, operator FROM support.audit_log
                WHERE channel = 'cli' AND actor_client_id IS NULL ORDER BY id
                """).map { try ($0.decode(String.self, "action"), $0.decode(String.self, "target"), $0.decode(String.self, "detail"),
                                $0.decode(String.self, "operator")) }
            await auditor.shutdown()
            let newKid = keyRotation.output.split(separator: " ").dropFirst(2).first.map(String.init) ?? "?"
            let actions: [String] = audited.map { "\($0.0): \($0.1)" }
            #expect(actions == [
                "add client: client 555", "rotate client secret: client 200", "disable client: client 555",
                "rotate signing key: kid \(newKid)",
                "top up messaging credit: client 200", "top up messaging credit: client 200",
            ])
            #expect(audited.allSatisfy { $0.3.contains("@") && !$0.3.hasPrefix("uid ") }, "\(audited)")
            #expect(audited[0].2 == "name New Bank, role client, rate limit 100/s")
            #expect(audited[4].2.contains("5000 ZAR minor units") && audited[4].2.contains("reference pay-1"))
            var printedSecrets: [String] = []
            for output in [added.output, rotated.output] {
                for word in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                    let value = String(word.split(separator: "=", maxSplits: 1).last ?? "")
                    if value.count >= 20 { printedSecrets.append(value) }
                }
            }
            #expect(!printedSecrets.isEmpty)
            for row in audited {
                for secret in printedSecrets { #expect(!row.2.contains(secret) && !row.1.contains(secret)) }
            }

            // verify: the seeded ledger is sound; a transfer forged by disabling the triggers is reported.
            let sound = try await TransactProcess.run(["verify", "--database-url", url])
            #expect(sound.status == 0 && sound.output.contains("OK: every ledger, purchase, notification and Chat 2 Pay invariant holds"), "\(sound.output)")
            let forger = PostgresClient(configuration: PostgresConfiguration(connectionString: url, poolSize: 1))
            _ = try await forger.withConnection { session in
                try await session.execute(script: """
                    SET session_replication_role = replica;
                    INSERT INTO ledger.transfers (id, kind) VALUES ('00000000-0000-4000-8000-000000000001', 'single');
                    INSERT INTO ledger.postings (transfer_id, account_id, amount)
                    SELECT '00000000-0000-4000-8000-000000000001', id, 5 FROM ledger.accounts ORDER BY id LIMIT 1;
                    UPDATE purchases.transactions SET state = 'vending', final_at = NULL;
                    DELETE FROM purchases.jobs;
                    SET session_replication_role = origin;
                    """)
            }
            await forger.shutdown()
            let broken = try await TransactProcess.run(["verify", "--database-url", url])
            #expect(broken.status == 2, "\(broken.output)")
            #expect(broken.output.contains("FAILED") && broken.output.contains("00000000-0000-4000-8000-000000000001"), "\(broken.output)")
            // The forged posting moved no balance: its account's stored balances no longer match its postings.
            #expect(broken.output.contains("stored balances") && broken.output.contains("differ from its postings"), "\(broken.output)")
            #expect(broken.output.contains("is vending but its ledger transfer is post"), "\(broken.output)")
            #expect(broken.output.contains("is vending with nothing scheduled to move it on"), "\(broken.output)")

            // Another process started with a master key that does not open the database's sealed secrets refuses to
            // start, instead of becoming ready and claiming work it can only fail.
            let (wrongKey, wrongKeyLog) = try TransactProcess.start(
                ["serve", "--database-url", url, "--port", String(port + 1)],
                environment: ["TRANSACT_MASTER_KEY": String(repeating: "cd", count: 32)])
            defer { try? FileManager.default.removeItem(at: wrongKeyLog) }
            for _ in 0..<300 where wrongKey.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            let wrongKeyOutput = (try? String(contentsOf: wrongKeyLog, encoding: .utf8)) ?? ""
            if wrongKey.isRunning {
                kill(wrongKey.processIdentifier, SIGKILL)
                Issue.record("serve with the wrong master key was still running after 15 s: \(wrongKeyOutput)")
            } else {
                #expect(wrongKey.terminationStatus != 0, "\(wrongKeyOutput)")
            }
            #expect(wrongKeyOutput.contains("TRANSACT_MASTER_KEY does not open the secrets sealed in this database"), "\(wrongKeyOutput)")

            // SIGTERM: readiness answers 503 for the drain period while requests are still served, then the listener
            // closes and a request in flight finishes.
            let tokenBody = "grant_type=client_credentials&client_id=200&client_secret=demo-secret-change-me"
            let inFlight = try RawHTTPConnection(port: port)
            try inFlight.send("POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(tokenBody.utf8.count)\r\n\r\n" + tokenBody.prefix(10))
            let stopped = ContinuousClock.now
            server.terminate()
            var drainingReadiness: (status: Int, body: String)?
            for _ in 0..<40 where drainingReadiness?.status != 503 {
                try await Task.sleep(for: .milliseconds(25))
                drainingReadiness = try? await TransactProcess.http("GET", base + "/health/ready")
            }
            #expect(drainingReadiness?.status == 503 && drainingReadiness?.body.contains("draining") == true, "\(String(describing: drainingReadiness))")
            #expect(try await TransactProcess.http("GET", base + "/health/live").status == 200)
            #expect(server.isRunning)
            // After the drain period no new connection is taken, while the one in flight is answered.
            try await Task.sleep(until: stopped + .seconds(drainSeconds) + .milliseconds(700))
            #expect((try? await TransactProcess.http("GET", base + "/health/live")) == nil, "the listener is still open")
            try inFlight.send(String(tokenBody.dropFirst(10)))
            let answer = try inFlight.receiveAll()
            // Answered by the service itself (the demo secret was rotated above, so the answer is a refusal).
            #expect(answer.hasPrefix("HTTP/1.1 400") && answer.contains("invalid_client"), "\(answer)")
            for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!server.isRunning)
            #expect(server.terminationStatus == 0)

            // logFormat json: every line the service wrote is one JSON object with its time, level and message; the
            // drain's notice among them, with its own field.
            let logLines = ((try? String(contentsOf: serverLog, encoding: .utf8)) ?? "").split(separator: "\n")
            let objects = logLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(!logLines.isEmpty && objects.count == logLines.count, "\(logLines.filter { !$0.hasPrefix("{") }.prefix(5))")
            #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
            #expect(objects.contains { $0["message"] as? String == "Serving" && $0["address"] is String })
            #expect(objects.contains { ($0["message"] as? String)?.hasPrefix("Draining") == true && $0["seconds"] is String })
        }
    }
}

/// One HTTP/1.1 connection written by hand, to hold a request in flight across a stop.
final class RawHTTPConnection {
    private let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(socket); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(socket) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Everything the server sends until it closes the connection (or 10 s pass).
    func receiveAll() throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
