import Synchronization

/// Work that a process hands straight to its own job loop (`JobLoop`), in one of the loop's slots: the statement
/// that creates the work also leases it to this process, so no claim is made for it and no process is woken for it.
/// Work is handed only while the loop runs and has a free slot; otherwise the caller leaves it to a claim, as if
/// there were no handoff.
public final class JobHandoff<Job: Sendable>: Sendable {
    /// The running loop's side: its slots and where handed jobs go.
    struct Loop: Sendable {
        let takeSlot: @Sendable () -> Bool
        let releaseSlot: @Sendable () -> Void
        let start: @Sendable (Job) -> Void
    }

    private let loop = Mutex<Loop?>(nil)

    public init() {}

    /// Runs `write` with one of the loop's slots held when one is free (`slotHeld`), for the job it may return:
    /// `write` creates that job leased to this process only when it holds a slot, and the job then runs in the slot.
    /// Without a slot `write` must leave its work to a claim. A slot held for no job (or a throw) is given back.
    public func handing<Answer>(
        _ write: (_ slotHeld: Bool) async throws -> (answer: Answer, job: Job?)
    ) async rethrows -> Answer {
        let loop = loop.withLock { $0 }
        let slotHeld = loop?.takeSlot() ?? false
        let written: (answer: Answer, job: Job?)
        do {
            written = try await write(slotHeld)
        } catch {
            if slotHeld { loop?.releaseSlot() }
            throw error
        }
        if let loop, slotHeld {
            if let job = written.job { loop.start(job) } else { loop.releaseSlot() }
        }
        return written.answer
    }

    /// The loop opens its slots to handed work while it runs, and closes them when it stops taking work. (A job
    /// handed in the moment it closes runs if the loop is still draining; else its lease expires and a claim takes
    /// it, as it takes the job of a process that stopped.)
    func open(_ loop: Loop) {
        self.loop.withLock { $0 = loop }
    }

    func close() {
        loop.withLock { $0 = nil }
    }
}
