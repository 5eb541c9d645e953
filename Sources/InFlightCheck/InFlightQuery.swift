public import Postgres

/// A client's transactions that are not final yet and match a purchase's five fields (API.md §6): those with an open
/// job (a purchase has one exactly while it is not final), through the small partial index `jobs_open_by_buyer`
/// (Migrations/0009_lean_purchases.sql).
public struct InFlightQuery: Sendable, Equatable {
    public let clientId: Int64
    public let sourceIdentifier: String
    public let targetIdentifier: String
    public let productId: Int64
    public let purchaseAmount: Int64

    /// At most this many are listed: a buyer with more purchases in flight for the same thing has a problem that
    /// a longer list would not solve.
    public static let maxListed: Int64 = 100

    public init(clientId: Int64, sourceIdentifier: String, targetIdentifier: String, productId: Int64, purchaseAmount: Int64) {
        self.clientId = clientId
        self.sourceIdentifier = sourceIdentifier
        self.targetIdentifier = targetIdentifier
        self.productId = productId
        self.purchaseAmount = purchaseAmount
    }

    public var statement: PostgresQuery {
        """
        SELECT t.raas_txn_ref::text AS raas_txn_ref, purchases.api_time(t.created_at) AS created
        FROM purchases.jobs j
        JOIN purchases.transactions t ON t.raas_txn_ref = j.raas_txn_ref
        WHERE j.kind IN ('reservation_deadline', 'vend')
          AND j.client_id = \(clientId) AND j.source_identifier = \(sourceIdentifier)
          AND t.target_identifier = \(targetIdentifier) AND t.product_id = \(productId)
          AND t.purchase_amount = \(purchaseAmount)
        ORDER BY t.created_at
        LIMIT \(Self.maxListed)
        """
    }
}
