public import Hummingbird
public import Postgres
public import ServiceHTTP

/// `GET /userTransactions/1.0`, User Transaction Lookup (API.md §6): a buyer's successful purchases, so that a
/// channel can offer "buy again". Without an optional parameter only the single latest; with any of them
/// (`channelId`, `productId`, `productTypeId`, or `limit` alone: decided here, since asking for a limit is asking
/// for a list) the latest per product, newest first, at most `limit`.
public struct UserTransactionLookupRoutes: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    struct UserTransaction: Encodable {
        let channelId: Int64
        let clientId: Int64
        let raasTxnRef: String
        let transactionDate: String
        let productId: Int64
        let productTypeId: Int64?
        let description: String
        let purchaseAmount: Int64
        let targetIdentifier: String
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("userTransactions/1.0") { request, context -> Response in
            let query = try UserTransactionsQuery(request)
            _ = try context.authorize(clientId: query.clientId, allowing: [.support])
            let transactions = try await database.query(query.statement).map { row in
                UserTransaction(
                    channelId: try row.decode(Int64.self, "channel_id"), clientId: try row.decode(Int64.self, "client_id"),
                    raasTxnRef: try row.decode(String.self, "raas_txn_ref"),
                    transactionDate: try row.decode(String.self, "transaction_date"),
                    productId: try row.decode(Int64.self, "product_id"),
                    productTypeId: try row.decode(Int64?.self, "product_type_id"),
                    description: try row.decode(String.self, "description"),
                    purchaseAmount: try row.decode(Int64.self, "purchase_amount"),
                    targetIdentifier: try row.decode(String.self, "target_identifier"))
            }
            return JSONResponse.make(transactions, status: .ok)
        }
    }
}

extension UserTransactionsQuery {
    init(_ request: Request) throws {
        let clientId = try request.integerParameter("clientId", maxDigits: 5)
        let sourceIdentifier = try request.stringParameter("sourceIdentifier", length: 1...32, alphanumeric: true)
        let channelId = try request.optionalIntegerParameter("channelId", in: 1...99)
        let productId = try request.optionalIntegerParameter("productId", maxDigits: 12)
        let productTypeId = try request.optionalIntegerParameter("productTypeId", maxDigits: 9)
        let limit = try request.optionalIntegerParameter("limit", in: 1...Self.maxLimit)
        let filtered = channelId != nil || productId != nil || productTypeId != nil || limit != nil
        self.init(
            clientId: clientId, sourceIdentifier: sourceIdentifier, channelId: channelId, productId: productId,
            productTypeId: productTypeId, limit: filtered ? (limit ?? Self.defaultLimit) : 1)
    }
}
