public import Postgres
public import TransactCore

/// One transaction of a client by one of its references, created within the last 30 days (API.md §6). Each kind
/// of reference has its own statement, so that even a generic plan of a prepared statement goes straight to its
/// index: the primary key, `one_per_client_reference`, or `bank_references_pkey` (Migrations/0009_lean_purchases.sql).
public struct TransactionLookupQuery: Sendable, Equatable {
    public enum Reference: Sendable, Equatable {
        case raasTxnRef(RaasTxnRef)
        case clientTxnRef(String)
        case reserveFundsTxnRef(String)

        public var text: String {
            switch self {
            case .raasTxnRef(let reference): reference.value
            case .clientTxnRef(let text), .reserveFundsTxnRef(let text): text
            }
        }
    }

    public let clientId: Int64
    /// The transaction found must carry every one of them.
    public let references: [Reference]

    /// Transactions older than this are not found (API.md §6).
    public static let windowDays = 30

    public init(clientId: Int64, references: [Reference]) {
        precondition(!references.isEmpty, "a transaction is looked up by at least one reference")
        self.clientId = clientId
        self.references = references
    }

    /// Finds by the first reference; the others are checked on the row found (`matches(every:)`).
    public var statement: PostgresQuery {
        switch references[0] {
        case .raasTxnRef(let reference):
            """
            SELECT \(unescaped: Self.columns) FROM purchases.transactions t
            WHERE t.raas_txn_ref = \(reference.uuid) AND t.client_id = \(clientId) AND \(unescaped: Self.window)
            """
        case .clientTxnRef(let text):
            """
            SELECT \(unescaped: Self.columns) FROM purchases.transactions t
            WHERE t.client_id = \(clientId) AND t.client_txn_ref = \(text) AND \(unescaped: Self.window)
            """
        case .reserveFundsTxnRef(let text):
            // A bank's references need not be unique: the latest transaction that carries it (found through
            // purchases.bank_references, since the reference arrives after the purchase is written).
            """
            SELECT \(unescaped: Self.columns) FROM purchases.bank_references b
            JOIN purchases.transactions t ON t.raas_txn_ref = b.raas_txn_ref
            WHERE b.client_id = \(clientId) AND b.reserve_funds_txn_ref = \(text) AND \(unescaped: Self.window)
            ORDER BY t.created_at DESC LIMIT 1
            """
        }
    }

    static let window = "t.created_at > now() - interval '\(windowDays) days'"

    static let columns = """
        t.id, t.raas_txn_ref::text AS raas_txn_ref, t.client_txn_ref, t.reserve_funds_txn_ref,
        purchases.api_time(t.created_at) AS created, t.purchase_amount, t.product_id, t.client_id, t.source_identifier,
        t.target_identifier, t.channel_id, t.channel_name, t.channel_session_id, t.reserve_funds_response_code,
        t.transact_result_response_code, purchases.public_status(t.state) AS transaction_status, t.token, t.reserve_amount,
        t.fee_amount, t.client_share_amount, t.settlement_amount, t.vend_amount
        """
}
