public import Postgres
public import Logging
import ServiceLifecycle
import Synchronization

/// The loop behind every kind of durable background work (DESIGN.md §7): work is rows in PostgreSQL, claimed under
/// a lease, so any number of processes may run the same loop on one database. A notification on `channel` wakes it
/// at once; it also looks every `pollInterval`, which is how delayed retries come due and how work is found after a
/// lost notification. At most `maxConcurrent` jobs run at once, claimed or handed over (`JobHandoff`). `claim` is
/// asked for work when there is a reason to: a notification, the poll, or a backlog (the last claim filled every
/// slot it asked for, or found none free), which a finished job then looks into. A handed job is no reason: it needs
/// no claim. A claim holds the slots it asks for while it asks: all free slots, or with a handoff half of them, so
/// that work handed over meanwhile still finds one. (A claim runs at every poll and notification; one that held all
/// free slots but one turned the work handed over while it asked into claimed work, whose notification set off the
/// next claim: at 64 connections 4 reservations in 10 left their vend to a claim.) Under a backlog the claims that
/// follow fill the rest. `run` returns after a graceful shutdown, once the jobs in progress have finished (their
/// outcomes recorded).
public final class JobLoop<Job: Sendable>: Sendable {
    let name: String
    let channel: String
    let listener: PostgresListener?
    let pollInterval: Duration
    let maxConcurrent: Int
    let claim: @Sendable (_ limit: Int) async throws -> [Job]
    let process: @Sendable (Job) async -> Void
    let handoff: JobHandoff<Job>?
    let logger: Logger
    /// Jobs running, and slots held for jobs about to be handed over.
    private let inFlight = Atomic<Int>(0)
    /// Jobs handed over, waiting for the loop to start them.
    private let handed = Mutex<[Job]>([])
    /// Whether the next turn of the loop claims: set by a notification, the poll, or a backlog.
    private let claimWanted = Atomic<Bool>(true)
    /// The last claim filled every free slot, or found none free: more may be due.
    private let backlog = Atomic<Bool>(false)
    private let doorbell = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(
        name: String, channel: String, listener: PostgresListener?, pollInterval: Duration, maxConcurrent: Int,
        logger: Logger, handoff: JobHandoff<Job>? = nil, claim: @escaping @Sendable (_ limit: Int) async throws -> [Job],
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
        self.handoff = handoff
        self.logger = logger
    }

    /// Runs once: a loop is made for one `run`.
    public func run() async {
        let wakers = [
            Task { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    ringForClaim()
                }
            },
            Task { [self] in
                guard let listener else { return }
                for await _ in listener.events(channel: channel) { ringForClaim() }
            },
        ]
        defer { wakers.forEach { $0.cancel() } }
        handoff?.open(.init(
            takeSlot: { [self] in takeSlots() == 1 },
            releaseSlot: { [self] in finishedOne() },
            start: { [self] job in
                handed.withLock { $0.append(job) }
                doorbell.continuation.yield()
            }))
        doorbell.continuation.yield()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // A handed job already holds its slot.
                func startHanded() {
                    for job in handed.withLock({ handed in defer { handed = [] }; return handed }) {
                        group.addTask {
                            await self.process(job)
                            self.finishedOne()
                        }
                    }
                }
                for await _ in doorbell.stream {
                    startHanded()
                    guard claimWanted.exchange(false, ordering: .relaxed) else { continue }
                    // The slots are taken before the claim, so that work handed over meanwhile cannot overfill them;
                    // half of those free when work may be handed over, so that what is handed during the claim still
                    // finds one.
                    let asked = takeSlots(halfOfFree: handoff != nil)
                    guard asked > 0 else {
                        backlog.store(true, ordering: .relaxed)
                        continue
                    }
                    let jobs: [Job]
                    do {
                        jobs = try await claim(asked)
                    } catch {
                        inFlight.subtract(asked, ordering: .relaxed)
                        logger.warning("Could not claim \(name)", metadata: ["error": "\(error)"])
                        continue
                    }
                    inFlight.subtract(asked - jobs.count, ordering: .relaxed)
                    backlog.store(jobs.count == asked, ordering: .relaxed)
                    for job in jobs {
                        group.addTask {
                            await self.process(job)
                            self.finishedOne()
                        }
                    }
                    // A full claim suggests more is due: look again at once (for half of what is free then).
                    if jobs.count == asked { ringForClaim() }
                }
                // Jobs handed over as the loop stopped still run before it returns.
                startHanded()
            }
        } onGracefulShutdown: { [handoff, doorbell] in
            handoff?.close()
            doorbell.continuation.finish()
        }
    }

    /// Takes one free slot, or with `halfOfFree` half of the free slots (at least one); how many it took.
    private func takeSlots(halfOfFree: Bool = false) -> Int {
        var running = inFlight.load(ordering: .relaxed)
        while running < maxConcurrent {
            let free = maxConcurrent - running
            let taken = halfOfFree ? max(1, free / 2) : 1
            let (exchanged, original) = inFlight.compareExchange(
                expected: running, desired: running + taken, ordering: .relaxed)
            if exchanged { return taken }
            running = original
        }
        return 0
    }

    /// A job finished, or a slot taken for one was given back: look for more work if some may be waiting.
    private func finishedOne() {
        inFlight.subtract(1, ordering: .relaxed)
        if backlog.load(ordering: .relaxed) { ringForClaim() }
    }

    private func ringForClaim() {
        claimWanted.store(true, ordering: .relaxed)
        doorbell.continuation.yield()
    }
}
