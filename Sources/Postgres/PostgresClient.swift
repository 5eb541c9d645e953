public import Logging
public import ServiceLifecycle
import Synchronization

/// A pool of PostgreSQL connections, each on its own thread, usable from any task.
///
/// - `query` pipelines single statements onto the least loaded connection (one round trip, its own implicit
///   transaction).
/// - `withConnection` / `withTransaction` lease one connection exclusively for work that spans statements.
///
/// Run it as a `Service` (it closes its connections on graceful shutdown) or call `shutdown()` yourself.
public final class PostgresClient: Service, Sendable {
    public let configuration: PostgresConfiguration
    private let workers: [ConnectionWorker]
    private let leases: Mutex<LeaseState>
    private let logger: Logger

    /// Which workers are leased, and who waits for one.
    private struct LeaseState {
        var leased: [Bool]
        var leaseWaiters: [CheckedContinuation<Int, any Error>] = []
        /// Statements that arrived while every connection was leased.
        var waitingJobs: [ConnectionWorker.Job] = []
        var isShutDown = false
    }

    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "postgres")) {
        self.configuration = configuration
        self.logger = logger
        let perWorkerQueue = max(1, configuration.maxQueuedRequests / configuration.poolSize)
        self.workers = (0..<configuration.poolSize).map {
            ConnectionWorker(index: $0, configuration: configuration, maxQueuedJobs: perWorkerQueue, logger: logger)
        }
        self.leases = Mutex(LeaseState(leased: Array(repeating: false, count: configuration.poolSize)))
    }

    // MARK: Statements

    /// Runs one statement on any connection, pipelined with other callers' statements.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withCheckedThrowingContinuation { continuation in
            dispatch(.statement(query, continuation))
        }
    }

    /// Runs a statement that only reads; when its connection was lost, runs it once more on the same worker, which
    /// replaces a lost connection before it takes more work: so the second attempt has a fresh connection, even when
    /// every connection of the pool died at once (a fail-over) and the others have not noticed yet.
    public func read(_ query: PostgresQuery) async throws -> PostgresRows {
        var worker: Int?
        do {
            return try await withCheckedThrowingContinuation { continuation in
                worker = dispatch(.statement(query, continuation))
            }
        } catch let error as PostgresError where error.isLostConnection {
            logger.notice("A read lost its connection; running it once more on a fresh one", metadata: ["error": "\(error)"])
            return try await withCheckedThrowingContinuation { continuation in
                dispatch(.statement(query, continuation), preferring: worker)
            }
        }
    }

    /// Hands a job to the least loaded free worker (or `preferring`, when it is free) and says which; nil when the
    /// job waits for a lease to end, or failed at once.
    @discardableResult
    private func dispatch(_ job: ConnectionWorker.Job, preferring preferred: Int? = nil) -> Int? {
        let target: Result<ConnectionWorker?, PostgresError> = leases.withLock { state in
            if state.isShutDown { return .failure(.shutDown) }
            if let preferred, !state.leased[preferred] { return .success(workers[preferred]) }
            guard let worker = leastLoadedWorker(excluding: state.leased) else {
                if let reason = everyWorkerDown() { return .failure(.unavailable(reason)) }
                guard state.waitingJobs.count < configuration.maxQueuedRequests else {
                    return .failure(.overloaded(queued: state.waitingJobs.count))
                }
                state.waitingJobs.append(job)
                return .success(nil)
            }
            return .success(worker)
        }
        switch target {
        case .success(let worker?):
            worker.enqueue(job)
            return worker.index
        case .success(nil):
            return nil
        case .failure(let error):
            job.fail(error)
            return nil
        }
    }

    /// The free worker with the fewest queued jobs among those not known to be down; when every free worker is
    /// down and `fallingBackToDown`, one of those (it rejects at once with the reason, which callers should see).
    private func leastLoadedWorker(excluding leased: [Bool], fallingBackToDown: Bool = true) -> ConnectionWorker? {
        var best: (worker: ConnectionWorker, load: Int)?
        var fallback: ConnectionWorker?
        for worker in workers where !leased[worker.index] {
            if case .down = worker.health {
                fallback = fallback ?? worker
                continue
            }
            let load = worker.load
            if best == nil || load < best!.load { best = (worker, load) }
        }
        return best?.worker ?? (fallingBackToDown ? fallback : nil)
    }

    private func everyWorkerDown() -> String? {
        var reason: String?
        for worker in workers {
            guard case .down(let why) = worker.health else { return nil }
            reason = why
        }
        return reason
    }

    // MARK: Exclusive use

    /// Leases one connection for the duration of `body`; no other caller's statement runs on it meanwhile.
    public func withConnection<T>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        let asked = ContinuousClock.now
        let index = try await acquireLease()
        PoolWaits.record([ContinuousClock.now - asked], for: .connection, pool: configuration.applicationName)
        let session = PostgresSession(worker: workers[index])
        do {
            let result = try await body(session)
            releaseLease(index)
            return result
        } catch {
            releaseLease(index)
            throw error
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT` on a leased connection. Serialization failures and deadlocks
    /// (`40001`, `40P01`) roll back and run `body` again, up to `maxAttempts` times in all; any other error
    /// rolls back and is rethrown.
    public func withTransaction<T>(
        isolation: TransactionIsolation = .readCommitted,
        maxAttempts: Int = 3,
        _ body: (PostgresSession) async throws -> T
    ) async throws -> T {
        precondition(maxAttempts >= 1 && maxAttempts <= 10, "maxAttempts must be 1...10")
        var attempt = 1
        while true {
            do {
                return try await withConnection { session in
                    try await session.query(PostgresQuery(sql: "BEGIN ISOLATION LEVEL \(isolation.sql)"))
                    do {
                        let result = try await body(session)
                        try await session.query("COMMIT")
                        return result
                    } catch {
                        _ = try? await session.query("ROLLBACK")
                        throw error
                    }
                }
            } catch let error as PostgresError where error.sqlState?.isTransient == true && attempt < maxAttempts {
                attempt += 1
                // Jitter so that the transactions that collided do not collide again in lockstep.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...10) * attempt))
            }
        }
    }

    private func acquireLease() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int?, PostgresError> = leases.withLock { state in
                if state.isShutDown { return .failure(.shutDown) }
                if let worker = leastLoadedWorker(excluding: state.leased, fallingBackToDown: false) {
                    state.leased[worker.index] = true
                    return .success(worker.index)
                }
                if let reason = everyWorkerDown() { return .failure(.unavailable(reason)) }
                guard state.leaseWaiters.count < configuration.maxQueuedRequests else {
                    return .failure(.overloaded(queued: state.leaseWaiters.count))
                }
                state.leaseWaiters.append(continuation)
                return .success(nil)
            }
            switch outcome {
            case .success(let index?): continuation.resume(returning: index)
            case .success(nil): break
            case .failure(let error): continuation.resume(throwing: error)
            }
        }
    }

    /// Ends a lease: queued statements go first, then the next lease waiter gets the connection.
    private func releaseLease(_ index: Int) {
        let worker = workers[index]
        worker.enqueue(.endLease)
        let (jobs, waiter): ([ConnectionWorker.Job], CheckedContinuation<Int, any Error>?) = leases.withLock { state in
            let jobs = state.waitingJobs
            state.waitingJobs = []
            if state.leaseWaiters.isEmpty {
                state.leased[index] = false
                return (jobs, nil)
            }
            return (jobs, state.leaseWaiters.removeFirst())
        }
        jobs.forEach { worker.enqueue($0) }
        waiter?.resume(returning: index)
    }

    // MARK: Lifecycle and statistics

    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops taking work, lets queued statements finish and closes every connection.
    public func shutdown() async {
        let (waiters, jobs) = leases.withLock { state in
            state.isShutDown = true
            defer {
                state.leaseWaiters = []
                state.waitingJobs = []
            }
            return (state.leaseWaiters, state.waitingJobs)
        }
        waiters.forEach { $0.resume(throwing: PostgresError.shutDown) }
        jobs.forEach { $0.fail(.shutDown) }
        workers.forEach { $0.close() }
        for worker in workers { await worker.waitUntilExited() }
    }

    /// A snapshot for metrics and readiness.
    public var statistics: PostgresPoolStatistics {
        let (leased, waiting) = leases.withLock { state in
            (state.leased.filter { $0 }.count, state.waitingJobs.count + state.leaseWaiters.count)
        }
        return PostgresPoolStatistics(
            connections: workers.count,
            connectionsUp: workers.filter { $0.health == .up }.count,
            connectionsLeased: leased,
            requestsQueued: workers.reduce(0) { $0 + $1.load } + waiting)
    }
}

public struct PostgresPoolStatistics: Sendable {
    public let connections: Int
    public let connectionsUp: Int
    public let connectionsLeased: Int
    /// Requests waiting for or being processed by a connection.
    public let requestsQueued: Int
}

public enum TransactionIsolation: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}
