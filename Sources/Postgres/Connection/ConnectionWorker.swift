import Foundation
import Logging

/// A dedicated thread that owns one `PostgresConnection` and feeds it requests from a queue.
///
/// Async callers enqueue a job and await a continuation; the thread drains the queue in batches, sends each
/// batch down the pipeline (one Sync per request, so a failing request never rolls back another) and resumes the
/// continuations as results arrive. While the connection is down the worker reconnects with backoff and rejects
/// new work at once, so callers fail fast instead of queueing behind a dead database.
final class ConnectionWorker: @unchecked Sendable {
    enum Job {
        /// A parameterised statement, pipelined.
        case statement(PostgresQuery, CheckedContinuation<PostgresRows, any Error>)
        /// SQL text with several statements and no parameters (migrations), outside the pipeline.
        case simple(String, CheckedContinuation<PostgresRows, any Error>)
        /// End of an exclusive lease: roll back a transaction block the lease left open.
        case endLease

        func fail(_ error: PostgresError) {
            switch self {
            case .statement(_, let continuation), .simple(_, let continuation): continuation.resume(throwing: error)
            case .endLease: break
            }
        }
    }

    enum Health: Equatable {
        case connecting
        case up
        case down(String)
    }

    let index: Int
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let maxQueuedJobs: Int

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Job] = []
    /// When each job of `queue` was queued, at the same index: how long statements wait for the connection.
    private var queuedAt: [ContinuousClock.Instant] = []
    private var jobsInFlight = 0
    private var currentHealth: Health = .connecting
    private var closing = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    init(index: Int, configuration: PostgresConfiguration, maxQueuedJobs: Int, logger: Logger) {
        self.index = index
        self.configuration = configuration
        self.maxQueuedJobs = maxQueuedJobs
        self.logger = logger
        let thread = Thread { [self] in self.threadMain() }
        thread.name = "postgres-\(index)"
        thread.start()
    }

    /// Jobs queued or in flight: the pool routes new work to the least loaded worker.
    var load: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count + jobsInFlight
    }

    var health: Health {
        condition.lock()
        defer { condition.unlock() }
        return currentHealth
    }

    /// Queues a job, or fails it at once when the worker is down, closing or full.
    func enqueue(_ job: Job) {
        condition.lock()
        let rejection: PostgresError?
        if closing {
            rejection = .shutDown
        } else if case .down(let reason) = currentHealth {
            rejection = .unavailable(reason)
        } else if queue.count >= maxQueuedJobs {
            rejection = .overloaded(queued: queue.count)
        } else {
            rejection = nil
            queue.append(job)
            queuedAt.append(.now)
            condition.signal()
        }
        condition.unlock()
        if let rejection { job.fail(rejection) }
    }

    /// Stops taking work; the thread finishes what is queued and closes the connection.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilExited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if exited {
                condition.unlock()
                continuation.resume()
            } else {
                exitWaiters.append(continuation)
                condition.unlock()
            }
        }
    }

    // MARK: The thread

    private func threadMain() {
        var connection: PostgresConnection?
        var reconnectDelayMs = configuration.reconnectInitialDelayMs
        while true {
            if connection == nil {
                do {
                    connection = try PostgresConnection.connect(configuration)
                    setHealth(.up)
                    reconnectDelayMs = configuration.reconnectInitialDelayMs
                } catch {
                    setHealth(.down(error.description))
                    failQueued(with: .unavailable(error.description))
                    logger.warning(
                        "PostgreSQL connection failed; retrying",
                        metadata: ["worker": "\(index)", "error": "\(error)", "retryInMs": "\(reconnectDelayMs)"])
                    if waitWhileDown(milliseconds: reconnectDelayMs) { break }
                    reconnectDelayMs = min(reconnectDelayMs * 2, configuration.reconnectMaxDelayMs)
                    continue
                }
            }
            guard let batch = nextBatch() else { break }
            guard let live = connection, live.isAliveAfterIdle() else {
                // Broken while idle (a restarted server, a terminated backend): nothing of this batch was sent,
                // so it can go to a fresh connection.
                connection = nil
                requeueFront(batch)
                continue
            }
            run(batch, on: live)
            finishBatch()
            if live.isBroken {
                logger.warning("PostgreSQL connection lost; reconnecting", metadata: ["worker": "\(index)"])
                connection = nil
            }
        }
        connection = nil
        condition.lock()
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        condition.unlock()
        waiters.forEach { $0.resume() }
    }

    /// Waits for work; nil once the worker is closing and its queue is empty.
    private func nextBatch() -> [Job]? {
        condition.lock()
        while queue.isEmpty {
            if closing {
                condition.unlock()
                return nil
            }
            condition.wait()
        }
        let count = min(queue.count, configuration.maxPipelineDepth)
        let batch = Array(queue.prefix(count))
        let now = ContinuousClock.now
        let waits = queuedAt.prefix(count).map { now - $0 }
        queue.removeFirst(count)
        queuedAt.removeFirst(count)
        jobsInFlight = count
        condition.unlock()
        // Outside the lock: enqueuing callers never wait on the metrics.
        PoolWaits.record(waits, for: .statement, pool: configuration.applicationName)
        return batch
    }

    private func requeueFront(_ batch: [Job]) {
        condition.lock()
        queue.insert(contentsOf: batch, at: 0)
        // Their wait starts again: what they waited before was recorded when they were taken.
        queuedAt.insert(contentsOf: Array(repeating: ContinuousClock.now, count: batch.count), at: 0)
        jobsInFlight = 0
        condition.unlock()
    }

    private func finishBatch() {
        condition.lock()
        jobsInFlight = 0
        condition.unlock()
    }

    private func setHealth(_ health: Health) {
        condition.lock()
        currentHealth = health
        condition.unlock()
    }

    private func failQueued(with error: PostgresError) {
        condition.lock()
        let failed = queue
        queue = []
        queuedAt = []
        condition.unlock()
        failed.forEach { $0.fail(error) }
    }

    /// Sleeps before the next reconnection attempt; true when the worker should exit instead.
    private func waitWhileDown(milliseconds: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1_000)
        while !closing, Date() < deadline {
            _ = condition.wait(until: deadline)
        }
        return closing
    }

    /// Runs a batch: consecutive statements go down the pipeline together; simple queries and lease ends run alone.
    private func run(_ batch: [Job], on connection: PostgresConnection) {
        var pending: [(PostgresConnection.SentStatement, CheckedContinuation<PostgresRows, any Error>)] = []
        func drainPipeline() {
            for (position, (sent, continuation)) in pending.enumerated() {
                let outcome = connection.receive(sent)
                continuation.resume(with: outcome)
                if case .failure(.connectionLost(let reason)) = outcome {
                    for (_, rest) in pending[(position + 1)...] { rest.resume(throwing: PostgresError.connectionLost(reason)) }
                    break
                }
            }
            pending = []
        }
        for (position, job) in batch.enumerated() {
            if connection.isBroken {
                // Not sent: the request never reached the server.
                batch[position...].forEach { $0.fail(.unavailable("connection lost before the request was sent")) }
                drainPipeline()
                return
            }
            switch job {
            case .statement(let query, let continuation):
                do {
                    pending.append((try connection.send(query), continuation))
                } catch {
                    continuation.resume(throwing: error)
                }
            case .simple(let sql, let continuation):
                drainPipeline()
                continuation.resume(with: Result { () throws(PostgresError) in
                    try connection.executeSimpleOutsidePipeline(sql)
                })
            case .endLease:
                drainPipeline()
                if connection.isInTransaction {
                    logger.warning("A lease ended inside a transaction block; rolling back", metadata: ["worker": "\(index)"])
                    _ = try? connection.executeSimpleOutsidePipeline("ROLLBACK")
                }
            }
        }
        drainPipeline()
    }
}
