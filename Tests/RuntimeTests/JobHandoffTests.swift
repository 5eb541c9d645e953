import Logging
import Runtime
import Synchronization
import Testing

/// `JobHandoff` on a running `JobLoop`: handed jobs run in the loop's slots, never more at once than it allows, and a
/// slot is only ever lent, never lost.
@Suite("Job handoff")
struct JobHandoffTests {
    /// Jobs that run until released, recording how many ran at once.
    final class Gate: Sendable {
        private struct State {
            var running = 0
            var mostAtOnce = 0
            var finished: [Int] = []
            var open = false
        }
        private let state = Mutex(State())

        func run(_ job: Int) async {
            state.withLock {
                $0.running += 1
                $0.mostAtOnce = max($0.mostAtOnce, $0.running)
            }
            while !state.withLock({ $0.open }) { try? await Task.sleep(for: .milliseconds(2)) }
            state.withLock {
                $0.running -= 1
                $0.finished.append(job)
            }
        }

        func release() { state.withLock { $0.open = true } }
        var running: Int { state.withLock { $0.running } }
        var mostAtOnce: Int { state.withLock { $0.mostAtOnce } }
        var finished: [Int] { state.withLock { $0.finished } }
    }

    /// Runs a loop of `slots` slots that claims from `claimable` (taken in order), until `body` returns.
    static func withLoop(
        slots: Int, claimable: [Int] = [], pollInterval: Duration = .milliseconds(20), claims: Counter = Counter(),
        handoff: JobHandoff<Int>, gate: Gate, _ body: () async throws -> Void
    ) async throws {
        let queue = Mutex(claimable)
        let loop = JobLoop<Int>(
            name: "test work", channel: "test_work", listener: nil, pollInterval: pollInterval, maxConcurrent: slots,
            logger: Logger(label: "test"), handoff: handoff,
            claim: { limit in
                claims.add()
                return queue.withLock { queue in defer { queue.removeFirst(min(limit, queue.count)) }; return Array(queue.prefix(limit)) }
            },
            process: { job in await gate.run(job) })
        let running = Task { await loop.run() }
        defer { running.cancel() }
        // The loop opens its slots as it starts.
        var tries = 0
        while await Self.hand(0, to: handoff, releaseIfHeld: true) == false, tries < 500 {
            tries += 1
            try await Task.sleep(for: .milliseconds(2))
        }
        try await body()
    }

    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// Hands `job` over when a slot is free; whether one was. With `releaseIfHeld`, returns no job (a probe).
    @discardableResult
    static func hand(_ job: Int, to handoff: JobHandoff<Int>, releaseIfHeld: Bool = false) async -> Bool {
        await handoff.handing { slotHeld in (slotHeld, slotHeld && !releaseIfHeld ? job : nil) }
    }

    @Test("without a running loop nothing is handed: the caller leaves the work to a claim")
    func noLoop() async throws {
        let handoff = JobHandoff<Int>()
        #expect(await Self.hand(1, to: handoff) == false)
    }

    @Test("handed jobs run in the loop's slots; once they are full the caller is told so, and a finished job frees its slot")
    func slotsBound() async throws {
        let handoff = JobHandoff<Int>()
        let gate = Gate()
        try await Self.withLoop(slots: 2, handoff: handoff, gate: gate) {
            #expect(await Self.hand(1, to: handoff))
            #expect(await Self.hand(2, to: handoff))
            #expect(await Self.hand(3, to: handoff) == false)
            for _ in 0..<500 where gate.running < 2 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(gate.running == 2)
            gate.release()
            for _ in 0..<500 where gate.finished.count < 2 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(Set(gate.finished) == [1, 2])
            #expect(await Self.hand(4, to: handoff))
            for _ in 0..<500 where gate.finished.count < 3 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(gate.finished.last == 4)
            #expect(gate.mostAtOnce == 2)
        }
    }

    @Test("a slot held for no job, or for a write that failed, is given back")
    func slotGivenBack() async throws {
        struct Refused: Error {}
        let handoff = JobHandoff<Int>()
        let gate = Gate()
        try await Self.withLoop(slots: 1, handoff: handoff, gate: gate) {
            for _ in 0..<3 { #expect(await Self.hand(1, to: handoff, releaseIfHeld: true)) }
            for _ in 0..<3 {
                await #expect(throws: Refused.self) {
                    _ = try await handoff.handing { (_: Bool) throws -> (answer: Bool, job: Int?) in throw Refused() }
                }
            }
            #expect(await Self.hand(7, to: handoff))
            gate.release()
            for _ in 0..<500 where gate.finished.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            #expect(gate.finished == [7])
        }
    }

    @Test("claimed and handed jobs together never run more at once than the loop's slots")
    func claimsShareTheSlots() async throws {
        let handoff = JobHandoff<Int>()
        let gate = Gate()
        try await Self.withLoop(slots: 3, claimable: Array(100..<110), handoff: handoff, gate: gate) {
            for _ in 0..<500 where gate.running < 3 { try await Task.sleep(for: .milliseconds(2)) }
            // The claims filled every slot: nothing can be handed.
            #expect(await Self.hand(1, to: handoff) == false)
            gate.release()
            var handed = 0
            for job in 1...20 {
                if await Self.hand(job, to: handoff) { handed += 1 }
            }
            for _ in 0..<1000 where gate.finished.count < 10 + handed { try await Task.sleep(for: .milliseconds(2)) }
            #expect(gate.finished.count == 10 + handed)
            #expect(gate.mostAtOnce <= 3)
        }
    }

    @Test("handed jobs, and jobs finishing with no backlog, make the loop claim nothing: it claims when told or when work waits")
    func handedWorkClaimsNothing() async throws {
        let handoff = JobHandoff<Int>()
        let gate = Gate()
        let claims = Counter()
        gate.release()
        try await Self.withLoop(slots: 4, pollInterval: .seconds(3600), claims: claims, handoff: handoff, gate: gate) {
            for _ in 0..<500 where claims.value == 0 { try await Task.sleep(for: .milliseconds(2)) }
            let before = claims.value
            #expect(before == 1)  // the loop's first look
            for job in 1...20 {
                while await Self.hand(job, to: handoff) == false { try await Task.sleep(for: .milliseconds(1)) }
            }
            for _ in 0..<1000 where gate.finished.count < 20 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(gate.finished.count == 20)
            #expect(claims.value == before)
        }
    }

    @Test("a claim asks for half of the free slots, so that work handed over while it asks still finds the other half")
    func claimLeavesHalf() async throws {
        let handoff = JobHandoff<Int>()
        let gate = Gate()
        let asking = Mutex<(asked: [Int], answer: Bool)>(([], false))
        let loop = JobLoop<Int>(
            name: "test work", channel: "test_work", listener: nil, pollInterval: .seconds(3600), maxConcurrent: 8,
            logger: Logger(label: "test"), handoff: handoff,
            claim: { limit in
                asking.withLock { $0.asked.append(limit) }
                while !asking.withLock({ $0.answer }) { try? await Task.sleep(for: .milliseconds(2)) }
                return []
            },
            process: { job in await gate.run(job) })
        let running = Task { await loop.run() }
        defer { running.cancel() }
        // The loop's first look is a claim: it asks for half of its eight slots, and waits.
        for _ in 0..<500 where asking.withLock({ $0.asked.isEmpty }) { try await Task.sleep(for: .milliseconds(2)) }
        #expect(asking.withLock { $0.asked } == [4])
        var handed = 0
        for job in 1...8 where await Self.hand(job, to: handoff) { handed += 1 }
        #expect(handed == 4)
        // Its answer (nothing due) gives its slots back to handed work.
        asking.withLock { $0.answer = true }
        var tries = 0
        while await Self.hand(9, to: handoff) == false, tries < 500 {
            tries += 1
            try await Task.sleep(for: .milliseconds(2))
        }
        gate.release()
        for _ in 0..<1000 where gate.finished.count < 5 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(gate.finished.count == 5 && gate.mostAtOnce <= 8)
    }
}
