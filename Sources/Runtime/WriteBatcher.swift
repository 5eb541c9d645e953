import Postgres
import Synchronization

/// Coalesces writes from many concurrent callers into batches: one statement and one commit per batch.
///
/// A write arriving while no batch is running starts one at once, so a quiet system adds no delay; writes that
/// arrive while batches are running wait for the next one. This is what takes writes to a hot row (every purchase
/// touching one vendor float, one revenue account) past the disk's flush rate: the row lock and the commit's WAL
/// flush are paid once per batch instead of once per write. `apply` runs one batch and returns one result per item,
/// in order; if it throws, every item of the batch fails with that error (their outcome is unknown, so items must
/// be safe to retry).
public final class WriteBatcher<Item: Sendable, Output: Sendable>: Sendable {
    private typealias Entry = (item: Item, continuation: CheckedContinuation<Output, any Error>)

    private struct State {
        var queue: [Entry] = []
        var runningBatches = 0
    }

    private let apply: @Sendable ([Item]) async throws -> [Result<Output, any Error>]
    private let maxBatchSize: Int
    private let maxConcurrentBatches: Int
    private let maxQueuedItems: Int
    private let state = Mutex(State())

    public init(
        maxBatchSize: Int, maxConcurrentBatches: Int = 2, maxQueuedItems: Int = 10_000,
        apply: @escaping @Sendable ([Item]) async throws -> [Result<Output, any Error>]
    ) {
        precondition(maxBatchSize >= 1 && maxConcurrentBatches >= 1 && maxQueuedItems >= 1, "limits must be positive")
        self.apply = apply
        self.maxBatchSize = maxBatchSize
        self.maxConcurrentBatches = maxConcurrentBatches
        self.maxQueuedItems = maxQueuedItems
    }

    /// Writes one item as part of the next batch; its result, or the error of its item or of its whole batch.
    /// Beyond `maxQueuedItems` waiting, fails fast with `PostgresError.overloaded`.
    public func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let (accepted, startBatch) = state.withLock { state -> (Bool, Bool) in
                guard state.queue.count < maxQueuedItems else { return (false, false) }
                state.queue.append((item, continuation))
                guard state.runningBatches < maxConcurrentBatches else { return (true, false) }
                state.runningBatches += 1
                return (true, true)
            }
            if !accepted {
                continuation.resume(throwing: PostgresError.overloaded(queued: maxQueuedItems))
            } else if startBatch {
                Task { await self.runBatches() }
            }
        }
    }

    /// Takes batches off the queue until it is empty.
    private func runBatches() async {
        while let batch = nextBatch() {
            do {
                let results = try await apply(batch.map(\.item))
                guard results.count == batch.count else {
                    throw PostgresError.decoding("a batch of \(batch.count) answered \(results.count) results")
                }
                for (entry, result) in zip(batch, results) { entry.continuation.resume(with: result) }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
    }

    private func nextBatch() -> [Entry]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.runningBatches -= 1
                return nil
            }
            let count = min(maxBatchSize, state.queue.count)
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
    }
}
