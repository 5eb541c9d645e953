public import Postgres

/// A client's transactions that are not final yet and match a purchase's five fields (API.md §6): their open jobs (a
/// purchase has one exactly while it is not final, and it carries those fields), through the small partial index
/// `jobs_open_by_purchase` (Migrations/0012_buyer_lookups_read_alone.sql, keyed by the stage since 0017), reading
/// nothing else.
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
        SELECT j.raas_txn_ref::text AS raas_txn_ref, purchases.api_time(j.purchase_created_at) AS created
        FROM purchases.jobs j
        WHERE j.stage = 'open'
          AND j.client_id = \(clientId) AND j.source_identifier = \(sourceIdentifier)
          AND j.target_identifier = \(targetIdentifier) AND j.product_id = \(productId)
          AND j.purchase_amount = \(purchaseAmount)
        ORDER BY j.purchase_created_at
        LIMIT \(Self.maxListed)
        """
    }
}
