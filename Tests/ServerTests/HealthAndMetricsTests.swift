import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import Server
import ServiceHTTP
import TestSupport
import Testing
import TransactCrypto

@Suite("Health, readiness, metrics, request ids")
struct HealthAndMetricsTests {
    /// `readinessTimeoutMs`: short by default, so that an unreachable database is answered quickly; a test that needs
    /// the database's answer gives it longer (under the whole suite's load the pool's first connection and the read
    /// of the applied migrations can take more than a second).
    func router(_ postgres: PostgresClient, prefix: String = "", readinessTimeoutMs: Int = 1_000) throws -> Router<TransactRequestContext> {
        var configuration = ServerConfiguration()
        configuration.pathPrefix = prefix
        configuration.readinessTimeoutMs = readinessTimeoutMs
        return TransactApplication.makeRouter(
            configuration: configuration,
            dependencies: ServiceDependencies(
                postgres: postgres, schema: try TestDatabase.projectSchema(), masterKey: TestDatabase.masterKey))
    }

    @Test("live answers 200 and echoes an acceptable X-Request-Id, replacing an unacceptable one")
    func live() async throws {
        try await TestDatabase.with { db, _ in
            let app = Application(router: try router(db))
            try await app.test(.router) { client in
                try await client.execute(uri: "/health/live", method: .get, headers: [.init("X-Request-Id")!: "trace-17"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.init("X-Request-Id")!] == "trace-17")
                    #expect(String(buffer: response.body) == #"{"status":"live"}"#)
                }
                let forged = String(repeating: "x", count: 200)
                try await client.execute(uri: "/health/live", method: .get, headers: [.init("X-Request-Id")!: forged]) { response in
                    let id = try #require(response.headers[.init("X-Request-Id")!])
                    #expect(id != forged)
                    #expect(id.count == 36)
                }
            }
        }
    }

    @Test("ready is 200 on a current database and 503 naming the pending migrations otherwise")
    func readiness() async throws {
        try await TestDatabase.with { db, _ in
            try await Application(router: try router(db, readinessTimeoutMs: 15_000)).test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                }
            }
        }
        try await TestDatabase.with(migrated: false) { db, _ in
            try await Application(router: try router(db, readinessTimeoutMs: 15_000)).test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = String(buffer: response.body)
                    #expect(body.contains("migrations pending") && body.contains("0001_ledger.sql"))
                }
            }
        }
    }

    @Test("ready is 200 on a database a newer build migrated (a rolling deploy), naming its newer migrations")
    func readinessAhead() async throws {
        try await TestDatabase.with { db, _ in
            try await db.query("""
                INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'from_a_newer_build', 'ff')
                """)
            try await Application(router: try router(db, readinessTimeoutMs: 15_000)).test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    #expect(String(buffer: response.body) == #"{"newer":["9999_from_a_newer_build.sql"],"status":"ready"}"#)
                }
            }
        }
    }

    @Test("ready is 503 while the database is unreachable")
    func readinessWithoutDatabase() async throws {
        let unreachable = PostgresClient(configuration: PostgresConfiguration(
            connectionString: "host=127.0.0.1 port=1 dbname=none connect_timeout=1", poolSize: 1))
        try await Application(router: try router(unreachable)).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("unavailable"))
            }
        }
        await unreachable.shutdown()
    }

    @Test("metrics count requests per route and status and report pool usage")
    func metrics() async throws {
        try await TestDatabase.with { db, _ in
            try await Application(router: try router(db)).test(.router) { client in
                for _ in 0..<3 { try await client.execute(uri: "/health/live", method: .get) { _ in } }
                try await client.execute(uri: "/no/such/route", method: .get) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"hb_requests{http_route="/health/live",http_request_method="GET",http_response_status_code="200"}"#))
                    #expect(text.contains("http_server_request_duration_bucket"))
                    #expect(text.contains(#"http_response_status_code="404""#))
                    #expect(text.contains("transact_db_pool_connections 4"))
                    #expect(text.contains("transact_db_pool_requests_queued"))
                    #expect(text.contains(#"transact_purchase_jobs{kind="deliver_result"} 0"#), "\(text)")
                }
            }
        }
    }

    @Test("every route can be mounted under a gateway prefix")
    func pathPrefix() async throws {
        try await TestDatabase.with { db, _ in
            try await Application(router: try router(db, prefix: "/apiman-gateway/PaydServices")).test(.router) { client in
                try await client.execute(uri: "/apiman-gateway/PaydServices/health/live", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/health/live", method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
