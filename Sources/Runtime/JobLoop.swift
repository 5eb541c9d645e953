public import Postgres
public import Logging
import ServiceLifecycle
import Synchronization

/// The loop behind every kind of durable background work (DESIGN.md §7): work is rows in PostgreSQL, claimed under
/// a lease, so any number of processes may run the same loop on one database. A notification on `channel` wakes it
/// at once; it also looks every `pollInterval`, which is how delayed retries come due and how work is found after a
/// lost notification. At most `maxConcurrent` claimed jobs run at once; `claim` is asked for as many as are free.
/// `run` returns after a graceful shutdown, once the jobs in progress have finished (their outcomes recorded).
public final class JobLoop<Job: Sendable>: Sendable {
    let name: String
    let channel: String
    let listener: PostgresListener?
    let pollInterval: Duration
    let maxConcurrent: Int
    let claim: @Sendable (_ limit: Int) async throws -> [Job]
    let process: @Sendable (Job) async -> Void
    let logger: Logger
    private let inFlight = Atomic<Int>(0)
    private let doorbell = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(
        name: String, channel: String, listener: PostgresListener?, pollInterval: Duration, maxConcurrent: Int,
        logger: Logger, claim: @escaping @Sendable (_ limit: Int) async throws -> [Job],
        process: @escaping @Sendable (Job) async -> Void
    ) {
        precondition(maxConcurrent > 0, "a job loop runs at least one job at a time")
        self.name = name
        self.channel = channel
        self.listener = listener
        self.pollInterval = pollInterval
        self.maxConcurrent = maxConcurrent
        self.claim = claim
        self.process = process
        self.logger = logger
    }

    /// Runs once: a loop is made for one `run`.
    public func run() async {
        let wakers = [
            Task { [pollInterval, doorbell] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    doorbell.continuation.yield()
                }
            },
            Task { [listener, channel, doorbell] in
                guard let listener else { return }
                for await _ in listener.events(channel: channel) { doorbell.continuation.yield() }
            },
        ]
        defer { wakers.forEach { $0.cancel() } }
        doorbell.continuation.yield()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await _ in doorbell.stream {
                    let free = maxConcurrent - inFlight.load(ordering: .relaxed)
                    guard free > 0 else { continue }
                    let jobs: [Job]
                    do {
                        jobs = try await claim(free)
                    } catch {
                        logger.warning("Could not claim \(name)", metadata: ["error": "\(error)"])
                        continue
                    }
                    for job in jobs {
                        inFlight.add(1, ordering: .relaxed)
                        group.addTask {
                            await self.process(job)
                            self.inFlight.subtract(1, ordering: .relaxed)
                            self.doorbell.continuation.yield()
                        }
                    }
                    // A full claim suggests more is due: look again at once.
                    if jobs.count == free { doorbell.continuation.yield() }
                }
            }
        } onGracefulShutdown: { [doorbell] in
            doorbell.continuation.finish()
        }
    }
}
