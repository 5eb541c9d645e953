public import Foundation
public import Postgres

/// The double-entry ledger. Every operation is one SQL function call, one round trip, and runs on whatever
/// `PostgresQueryable` it is given: the pool (its own transaction) or a session inside a larger transaction.
/// Refusals arrive as `LedgerError`.
public struct Ledger: Sendable {
    public init() {}

    /// Creates the account, or returns the existing one when it has the same attributes.
    @discardableResult
    public func createAccount(_ account: AccountSpecification, on db: some PostgresQueryable) async throws -> Int64 {
        let row = try await run(on: db, """
            SELECT id FROM ledger.create_account(\(account.code), \(account.currency), \(account.kind.rawValue),
                \(account.debitsMustNotExceedCredits), \(account.creditsMustNotExceedDebits))
            """).single()
        return try row.decode(Int64.self, "id")
    }

    /// Writes a single-phase or pending transfer.
    @discardableResult
    public func createTransfer(_ transfer: TransferRequest, on db: some PostgresQueryable) async throws -> TransferReceipt {
        let kind: String
        let timeoutSeconds: Int32?
        switch transfer.phase {
        case .single:
            (kind, timeoutSeconds) = ("single", nil)
        case .pending(let timeout):
            (kind, timeoutSeconds) = ("pending", timeout.map { Int32(clamping: $0) })
        }
        return try await receipt(run(on: db, """
            SELECT * FROM ledger.create_transfer(\(transfer.id), \(kind), \(transfer.postings.map(\.accountCode)),
                \(transfer.postings.map(\.amountMinor)), \(transfer.description), NULL, \(timeoutSeconds))
            """))
    }

    /// Posts a pending transfer in full (`amountMinor` nil) or, for a two-account transfer, in part, releasing
    /// the rest.
    @discardableResult
    public func postPending(
        id: UUID, pendingID: UUID, amountMinor: Int64? = nil, description: String = "", on db: some PostgresQueryable
    ) async throws -> TransferReceipt {
        try await receipt(run(on: db, """
            SELECT * FROM ledger.post_pending(\(id), \(pendingID), \(amountMinor), \(description))
            """))
    }

    /// Voids a pending transfer, releasing everything it held.
    @discardableResult
    public func voidPending(id: UUID, pendingID: UUID, description: String = "", on db: some PostgresQueryable)
        async throws -> TransferReceipt
    {
        try await receipt(run(on: db, "SELECT * FROM ledger.void_pending(\(id), \(pendingID), \(description))"))
    }

    /// The most operations one batch may carry (the SQL function refuses more).
    public static let maxBatchSize = 100

    /// Applies up to `maxBatchSize` operations in one statement and one commit. Each operation succeeds or is
    /// refused on its own; the results are in the operations' order. If the statement as a whole fails (the
    /// connection is lost, say) the error is thrown and the operations' outcome is unknown: retry them with the
    /// same ids, which the ledger deduplicates.
    public func apply(_ operations: [LedgerOperation], on db: some PostgresQueryable) async throws
        -> [Result<TransferReceipt, LedgerError>]
    {
        precondition(operations.count <= Self.maxBatchSize, "a ledger batch holds at most \(Self.maxBatchSize) operations")
        guard !operations.isEmpty else { return [] }
        let batch = try PostgresJSON(operations.map(\.batchItem))
        let rows = try await db.query("SELECT * FROM ledger.create_transfers(\(batch))")
        guard rows.count == operations.count else {
            throw PostgresError.decoding("ledger batch of \(operations.count) answered \(rows.count) rows")
        }
        return try rows.map { row in
            if let code = try row.decode(String?.self, "error_code") {
                let serverError = PostgresServerError(
                    sqlState: SQLState(code), message: try row.decode(String.self, "error_message"),
                    constraintName: try row.decode(String?.self, "error_constraint").flatMap { $0.isEmpty ? nil : $0 },
                    columnName: try row.decode(String?.self, "error_column").flatMap { $0.isEmpty ? nil : $0 })
                guard let refusal = LedgerError(PostgresError.server(serverError)) else {
                    throw PostgresError.server(serverError)
                }
                return .failure(refusal)
            }
            return .success(TransferReceipt(
                id: try row.decode(UUID.self, "id"),
                createdAt: try row.decode(Date.self, "created_at"),
                replayed: try row.decode(Bool.self, "replayed")))
        }
    }

    /// Expires up to `limit` pending transfers whose timeout has passed by the database clock; returns their ids.
    public func expireDue(limit: Int = 1_000, on db: some PostgresQueryable) async throws -> [UUID] {
        try await run(on: db, "SELECT ledger.expire_due(\(Int32(clamping: limit))) AS id").map {
            try $0.decode(UUID.self, "id")
        }
    }

    public func balance(of accountCode: String, on db: some PostgresQueryable) async throws -> AccountBalance? {
        let rows = try await db.query("SELECT * FROM ledger.balances WHERE code = \(accountCode)")
        guard let row = rows.first else { return nil }
        guard let kind = AccountKind(rawValue: try row.decode(String.self, "kind")) else {
            throw PostgresError.decoding("unknown account kind")
        }
        return AccountBalance(
            accountID: try row.decode(Int64.self, "id"),
            code: try row.decode(String.self, "code"),
            currency: try row.decode(String.self, "currency"),
            kind: kind,
            postedMinor: try row.decode(Int64.self, "posted"),
            pendingMinor: try row.decode(Int64.self, "pending"),
            availableMinor: try row.decode(Int64.self, "available"),
            postedDebitsMinor: try row.decode(Int64.self, "posted_debits"),
            postedCreditsMinor: try row.decode(Int64.self, "posted_credits"),
            pendingDebitsMinor: try row.decode(Int64.self, "pending_debits"),
            pendingCreditsMinor: try row.decode(Int64.self, "pending_credits"))
    }

    /// Every broken ledger invariant, read from the rows themselves; empty when the ledger is sound.
    public func invariantViolations(on db: some PostgresQueryable) async throws -> [String] {
        try await db.query("SELECT ledger.invariant_violations() AS problem").map {
            try $0.decode(String.self, "problem")
        }
    }

    private func run(on db: some PostgresQueryable, _ query: PostgresQuery) async throws -> PostgresRows {
        do {
            return try await db.query(query)
        } catch {
            throw LedgerError(error) ?? error
        }
    }

    private func receipt(_ rows: PostgresRows) throws -> TransferReceipt {
        let row = try rows.single()
        return TransferReceipt(
            id: try row.decode(UUID.self, "id"),
            createdAt: try row.decode(Date.self, "created_at"),
            replayed: try row.decode(Bool.self, "replayed"))
    }
}
