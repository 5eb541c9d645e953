public import Postgres

/// A purchase as the buyer-facing lookups list it (API.md §6: User Transaction Lookup, Token Lookup), read from a
/// row with the columns `channel_id`, `client_id`, `raas_txn_ref`, `transaction_date`, `product_id`,
/// `product_type_id`, `description`, `purchase_amount` and `target_identifier`.
public struct PurchaseSummary: Encodable, Sendable {
    let channelId: Int64
    let clientId: Int64
    let raasTxnRef: String
    let transactionDate: String
    let productId: Int64
    let productTypeId: Int64?
    let description: String
    let purchaseAmount: Int64
    let targetIdentifier: String

    public init(row: PostgresRow) throws {
        channelId = try row.decode(Int64.self, "channel_id")
        clientId = try row.decode(Int64.self, "client_id")
        raasTxnRef = try row.decode(String.self, "raas_txn_ref")
        transactionDate = try row.decode(String.self, "transaction_date")
        productId = try row.decode(Int64.self, "product_id")
        productTypeId = try row.decode(Int64?.self, "product_type_id")
        description = try row.decode(String.self, "description")
        purchaseAmount = try row.decode(Int64.self, "purchase_amount")
        targetIdentifier = try row.decode(String.self, "target_identifier")
    }
}
