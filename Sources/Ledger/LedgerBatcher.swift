public import Postgres
import Synchronization

/// Coalesces ledger writes from many concurrent callers into batches: one statement and one commit per batch.
///
/// A write arriving while no batch is running starts one at once, so a quiet system adds no delay; writes that
/// arrive while batches are running wait for the next one. This is what takes a hot account (every purchase
/// touching one float or revenue account) past the disk's flush rate: the account's row lock and the commit's
/// WAL flush are paid once per batch instead of once per transfer.
public final class LedgerBatcher: Sendable {
    private typealias Entry = (operation: LedgerOperation, continuation: CheckedContinuation<TransferReceipt, any Error>)

    private struct State {
        var queue: [Entry] = []
        var runningBatches = 0
    }

    private let ledger = Ledger()
    private let database: PostgresClient
    private let maxBatchSize: Int
    private let maxConcurrentBatches: Int
    private let maxQueuedOperations: Int
    private let state = Mutex(State())

    public init(database: PostgresClient, maxBatchSize: Int = 64, maxConcurrentBatches: Int = 2, maxQueuedOperations: Int = 10_000) {
        precondition((1...Ledger.maxBatchSize).contains(maxBatchSize), "maxBatchSize must be 1...\(Ledger.maxBatchSize)")
        precondition(maxConcurrentBatches >= 1 && maxQueuedOperations >= 1, "limits must be positive")
        self.database = database
        self.maxBatchSize = maxBatchSize
        self.maxConcurrentBatches = maxConcurrentBatches
        self.maxQueuedOperations = maxQueuedOperations
    }

    /// Applies one operation as part of the next batch. Throws `LedgerError` when the ledger refuses it, or the
    /// database error when its batch failed as a whole (outcome unknown: retry with the same id).
    @discardableResult
    public func submit(_ operation: LedgerOperation) async throws -> TransferReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let (accepted, startBatch) = state.withLock { state -> (Bool, Bool) in
                guard state.queue.count < maxQueuedOperations else { return (false, false) }
                state.queue.append((operation, continuation))
                guard state.runningBatches < maxConcurrentBatches else { return (true, false) }
                state.runningBatches += 1
                return (true, true)
            }
            if !accepted {
                continuation.resume(throwing: PostgresError.overloaded(queued: maxQueuedOperations))
            } else if startBatch {
                Task { await self.runBatches() }
            }
        }
    }

    /// Takes batches off the queue until it is empty.
    private func runBatches() async {
        while let batch = nextBatch() {
            do {
                let results = try await ledger.apply(batch.map(\.operation), on: database)
                for (entry, result) in zip(batch, results) {
                    entry.continuation.resume(with: result.mapError { $0 as any Error })
                }
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
