import DatabaseMigrations
import Hummingbird
import ServiceHTTP
import Postgres

/// `GET /health/live` (the process answers) and `GET /health/ready` (the database answers within the readiness
/// timeout and its migrations are exactly those of this build).
struct HealthRoutes {
    let migrations: MigrationRunner
    let readinessTimeoutMs: Int

    func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("health/live") { _, _ in
            JSONResponse.make(Status(status: "live", pending: nil, reason: nil), status: .ok)
        }
        group.get("health/ready") { _, _ in
            await ready()
        }
    }

    struct Status: Encodable {
        let status: String
        let pending: [String]?
        let reason: String?
    }

    func ready() async -> Response {
        let outcome = await withTimeout(milliseconds: readinessTimeoutMs) {
            try await migrations.pendingParts()
        }
        switch outcome {
        case .success(let pending?) where pending.isEmpty:
            return JSONResponse.make(Status(status: "ready", pending: nil, reason: nil), status: .ok)
        case .success(let pending?):
            return JSONResponse.make(
                Status(status: "migrations pending", pending: pending, reason: "run `transact migrate`"),
                status: .serviceUnavailable)
        case .success(nil):
            return JSONResponse.make(
                Status(status: "unavailable", pending: nil, reason: "database did not answer within \(readinessTimeoutMs) ms"),
                status: .serviceUnavailable)
        case .failure(let error):
            let reason = (error as? PostgresError)?.isUnavailable == true ? "database unreachable" : "\(error)"
            return JSONResponse.make(Status(status: "unavailable", pending: nil, reason: reason), status: .serviceUnavailable)
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
