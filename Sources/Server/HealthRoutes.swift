import DatabaseMigrations
import Hummingbird
import ServiceHTTP
import Postgres

/// `GET /health/live` (the process answers) and `GET /health/ready` (the database answers within the readiness
/// timeout, its migrations are this build's or a newer build's, and the process is not draining before a stop).
struct HealthRoutes {
    let migrations: MigrationRunner
    let readinessTimeoutMs: Int
    let drain: Drain

    func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("health/live") { _, _ in
            JSONResponse.make(Status(status: "live"), status: .ok)
        }
        group.get("health/ready") { _, _ in
            await ready()
        }
    }

    struct Status: Encodable {
        let status: String
        var pending: [String]? = nil
        /// Migrations of a newer build that the database has (a rolling deploy in progress).
        var newer: [String]? = nil
        var reason: String? = nil
    }

    func ready() async -> Response {
        if drain.isDraining {
            return JSONResponse.make(
                Status(status: "draining", reason: "the process is stopping; new requests belong elsewhere"),
                status: .serviceUnavailable)
        }
        let outcome = await withTimeout(milliseconds: readinessTimeoutMs) {
            try await migrations.standing()
        }
        switch outcome {
        case .success(.current?):
            return JSONResponse.make(Status(status: "ready"), status: .ok)
        case .success(.ahead(let newer)?):
            return JSONResponse.make(Status(status: "ready", newer: newer), status: .ok)
        case .success(.behind(let pending)?):
            return JSONResponse.make(
                Status(status: "migrations pending", pending: pending, reason: "run `transact migrate`"),
                status: .serviceUnavailable)
        case .success(nil):
            return JSONResponse.make(
                Status(status: "unavailable", reason: "database did not answer within \(readinessTimeoutMs) ms"),
                status: .serviceUnavailable)
        case .failure(let error):
            let reason = (error as? PostgresError)?.isUnavailable == true ? "database unreachable" : "\(error)"
            return JSONResponse.make(Status(status: "unavailable", reason: reason), status: .serviceUnavailable)
        }
    }
}

/// Runs `body`, giving up after `milliseconds`: `.success(nil)` on timeout. The body is cancelled, not awaited.
func withTimeout<T: Sendable>(
    milliseconds: Int, _ body: @escaping @Sendable () async throws -> T
) async -> Result<T?, any Error> {
    await withTaskGroup(of: Result<T?, any Error>.self) { group in
        group.addTask {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(milliseconds))
            return .success(nil)
        }
        let first = await group.next()!
        group.cancelAll()
        return first
    }
}
