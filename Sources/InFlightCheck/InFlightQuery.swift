public import Postgres

/// A client's transactions that are not final yet and match a purchase's five fields (API.md §6), through the
/// small partial index `transactions_in_flight_by_buyer` (Migrations/0004_lookups.sql).
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
        SELECT raas_txn_ref::text AS raas_txn_ref, purchases.api_time(created_at) AS created
        FROM purchases.transactions
        WHERE client_id = \(clientId) AND source_identifier = \(sourceIdentifier) AND final_at IS NULL
          AND target_identifier = \(targetIdentifier) AND product_id = \(productId) AND purchase_amount = \(purchaseAmount)
        ORDER BY created_at
        LIMIT \(Self.maxListed)
        """
    }
}
