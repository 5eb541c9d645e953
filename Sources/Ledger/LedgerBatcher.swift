public import Postgres
import Runtime

/// Ledger writes from many concurrent callers, applied in batches (`WriteBatcher`): one statement and one commit
/// per batch, so a hot account's row lock and the commit's WAL flush are paid once per batch.
public final class LedgerBatcher: Sendable {
    private let batcher: WriteBatcher<LedgerOperation, TransferReceipt>

    public init(database: PostgresClient, maxBatchSize: Int = 64, maxConcurrentBatches: Int = 2, maxQueuedOperations: Int = 10_000) {
        precondition((1...Ledger.maxBatchSize).contains(maxBatchSize), "maxBatchSize must be 1...\(Ledger.maxBatchSize)")
        let ledger = Ledger()
        batcher = WriteBatcher(
            maxBatchSize: maxBatchSize, maxConcurrentBatches: maxConcurrentBatches, maxQueuedItems: maxQueuedOperations
        ) { operations in
            try await ledger.apply(operations, on: database).map { $0.mapError { $0 as any Error } }
        }
    }

    /// Applies one operation as part of the next batch. Throws `LedgerError` when the ledger refuses it, or the
    /// database error when its batch failed as a whole (outcome unknown: retry with the same id).
    @discardableResult
    public func submit(_ operation: LedgerOperation) async throws -> TransferReceipt {
        try await batcher.submit(operation)
    }
}
