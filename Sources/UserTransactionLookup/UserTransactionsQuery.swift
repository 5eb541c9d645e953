public import Postgres

/// A buyer's latest successful purchase per product, newest first (API.md §6), read from the buyer's successes alone
/// (which carry what it answers: Migrations/0012_buyer_lookups_read_alone.sql). The statement skips along the
/// index `successes_by_buyer_product` (Migrations/0009_lean_purchases.sql) from one product
/// the buyer bought to the next (a loose index scan, written as a recursive CTE) and takes each product's latest
/// purchase, so its cost follows the number of products the buyer bought: neither the size of the table nor the
/// length of the buyer's history.
///
/// The optional filters are parameters of one statement: productId as a range of the index (the whole range when
/// absent), channelId and productTypeId as conditions on the few rows found; so a generic plan of the prepared
/// statement is as good as a custom one.
public struct UserTransactionsQuery: Sendable, Equatable {
    public let clientId: Int64
    public let sourceIdentifier: String
    public let channelId: Int64?
    public let productId: Int64?
    public let productTypeId: Int64?
    public let limit: Int64

    public static let defaultLimit: Int64 = 10
    public static let maxLimit: Int64 = 100

    public init(
        clientId: Int64, sourceIdentifier: String, channelId: Int64? = nil, productId: Int64? = nil, productTypeId: Int64? = nil,
        limit: Int64
    ) {
        precondition((1...Self.maxLimit).contains(limit), "limit is 1...\(Self.maxLimit)")
        self.clientId = clientId
        self.sourceIdentifier = sourceIdentifier
        self.channelId = channelId
        self.productId = productId
        self.productTypeId = productTypeId
        self.limit = limit
    }

    public var statement: PostgresQuery {
        let lowestProduct = productId ?? 0
        let highestProduct = productId ?? Int64.max
        return """
            WITH RECURSIVE bought (product_id) AS (
                (SELECT s.product_id FROM purchases.successes s
                 WHERE s.client_id = \(clientId) AND s.source_identifier = \(sourceIdentifier)
                   AND s.product_id BETWEEN \(lowestProduct) AND \(highestProduct)
                 ORDER BY s.product_id LIMIT 1)
                UNION ALL
                SELECT (SELECT s.product_id FROM purchases.successes s
                        WHERE s.client_id = \(clientId) AND s.source_identifier = \(sourceIdentifier)
                          AND s.product_id > b.product_id AND s.product_id <= \(highestProduct)
                        ORDER BY s.product_id LIMIT 1)
                FROM bought b WHERE b.product_id IS NOT NULL
            )
            SELECT latest.channel_id, latest.client_id, latest.raas_txn_ref::text AS raas_txn_ref,
                   purchases.api_time(latest.created_at) AS transaction_date, latest.product_id, latest.product_type_id,
                   coalesce(p.description, '') AS description, latest.purchase_amount, latest.target_identifier
            FROM bought b
            CROSS JOIN LATERAL (
                SELECT s.channel_id, s.client_id, s.raas_txn_ref, s.created_at, s.product_id, s.product_type_id,
                       s.purchase_amount, s.target_identifier
                FROM purchases.successes s
                WHERE s.client_id = \(clientId) AND s.source_identifier = \(sourceIdentifier) AND s.product_id = b.product_id
                  AND (\(channelId)::bigint IS NULL OR s.channel_id = \(channelId))
                  AND (\(productTypeId)::bigint IS NULL OR s.product_type_id = \(productTypeId))
                ORDER BY s.created_at DESC LIMIT 1
            ) latest
            LEFT JOIN catalogue.products p ON p.product_id = latest.product_id
            ORDER BY latest.created_at DESC
            LIMIT \(limit)
            """
    }
}
