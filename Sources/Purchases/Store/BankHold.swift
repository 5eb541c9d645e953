import TransactCore
import Postgres

/// A hold a bank made, as the simulated bank records it (`GET /holds`).
public struct BankHold: Sendable, Codable, Equatable {
    public let raasTxnRef: String
    public let amount: Int64
    /// `held`, `debited` or `released`.
    public let state: String

    public init(raasTxnRef: String, amount: Int64, state: String) {
        self.raasTxnRef = raasTxnRef
        self.amount = amount
        self.state = state
    }
}

extension PurchaseStore {
    /// Every hold that disagrees with its transaction: a debit for a purchase that did not succeed, a release of
    /// one that did, a hold still in place for a purchase whose result the bank acknowledged, an amount other
    /// than the reserve amount, or a hold for no transaction at all.
    public func holdViolations(_ holds: [BankHold]) async throws -> [String] {
        try await database.query("""
            SELECT 'bank hold for ' || h."raasTxnRef" || ' (' || h.state || ', ' || h.amount || ') ' ||
                   CASE WHEN t.raas_txn_ref IS NULL THEN 'names no transaction'
                        WHEN h.amount <> t.reserve_amount THEN 'is not the reserve amount ' || t.reserve_amount
                        ELSE 'disagrees with the transaction, which is ' || t.state ||
                             coalesce(' with its result ' || d.status, '') END AS problem
            FROM jsonb_to_recordset(\(try PostgresJSON(holds))) AS h ("raasTxnRef" text, amount bigint, state text)
            LEFT JOIN purchases.transactions t ON t.raas_txn_ref::text = h."raasTxnRef"
            LEFT JOIN purchases.result_deliveries d ON d.raas_txn_ref = t.raas_txn_ref
            WHERE t.raas_txn_ref IS NULL OR h.amount <> t.reserve_amount
               OR (h.state = 'debited' AND t.state <> 'success')
               OR (h.state = 'released' AND t.state = 'success')
               OR (h.state = 'held' AND d.status = 'acknowledged')
            ORDER BY 1
            """).map { try $0.decode(String.self, "problem") }
    }
}
