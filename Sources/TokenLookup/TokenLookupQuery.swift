public import Postgres

/// The tokens of a buyer's successful purchases, newest first (API.md §6), through the partial index
/// `successes_tokens_by_buyer` (the buyer's successes with a token, which carry what it answers:
/// Migrations/0012_buyer_lookups_read_alone.sql), reading nothing else. The buyer is the `sourceIdentifier`: a gift the buyer received was bought by
/// someone else, so it is never among them; a gift the buyer sent is a purchase the buyer made, so it is.
public struct TokenLookupQuery: Sendable, Equatable {
    public let clientId: Int64
    public let sourceIdentifier: String
    public let channelId: Int64?
    public let productTypeId: Int64?
    public let limit: Int64

    public static let defaultLimit: Int64 = 1
    public static let maxLimit: Int64 = 50

    public init(clientId: Int64, sourceIdentifier: String, channelId: Int64? = nil, productTypeId: Int64? = nil, limit: Int64 = defaultLimit) {
        precondition((1...Self.maxLimit).contains(limit), "limit is 1...\(Self.maxLimit)")
        self.clientId = clientId
        self.sourceIdentifier = sourceIdentifier
        self.channelId = channelId
        self.productTypeId = productTypeId
        self.limit = limit
    }

    public var statement: PostgresQuery {
        """
        SELECT s.target_identifier, s.client_id, s.channel_id, s.product_id, s.product_type_id,
               coalesce(p.description, '') AS description, s.raas_txn_ref::text AS raas_txn_ref,
               purchases.api_time(s.created_at) AS transaction_date, s.purchase_amount, s.token
        FROM purchases.successes s
        LEFT JOIN catalogue.products p ON p.product_id = s.product_id
        WHERE s.client_id = \(clientId) AND s.source_identifier = \(sourceIdentifier) AND s.token IS NOT NULL
          AND (\(channelId)::bigint IS NULL OR s.channel_id = \(channelId))
          AND (\(productTypeId)::bigint IS NULL OR s.product_type_id = \(productTypeId))
        ORDER BY s.created_at DESC
        LIMIT \(limit)
        """
    }
}
