import Synchronization

/// A value read by a shared probe that started after the caller asked: concurrent callers share one read, and a
/// caller never gets a value read before it arrived (a read already under way when it arrives is not joined; the
/// next one, which starts when that one ends, is). So a primary's WAL position obtained here is at least that of
/// every commit acknowledged before the call, at the cost of one probe per round of callers rather than per caller.
final class FreshValue<Value: Sendable>: Sendable {
    private struct Probe {
        let id: Int
        let task: Task<Value, any Error>
    }

    private struct State {
        /// The read whose statement may already be under way.
        var running: Probe?
        /// The read that starts when `running` ends; callers arriving now join it.
        var next: Probe?
        var lastID = 0
    }

    private let state = Mutex(State())
    private let read: @Sendable () async throws -> Value

    init(_ read: @escaping @Sendable () async throws -> Value) {
        self.read = read
    }

    func value() async throws -> Value {
        let task = state.withLock { current -> Task<Value, any Error> in
            if let next = current.next { return next.task }
            current.lastID += 1
            let id = current.lastID
            let previous = current.running?.task
            let task = Task { [self] in
                if let previous { _ = try? await previous.value }
                // From here the read may be under way: later callers wait for the one after it.
                state.withLock { if $0.next?.id == id { $0.running = $0.next; $0.next = nil } }
                defer { state.withLock { if $0.running?.id == id { $0.running = nil } } }
                return try await read()
            }
            let probe = Probe(id: id, task: task)
            if previous == nil { current.running = probe } else { current.next = probe }
            return task
        }
        return try await task.value
    }
}
