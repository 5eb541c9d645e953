public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore
import Observability

/// `GET /userTransactions/1.0`, User Transaction Lookup (API.md §6): a buyer's successful purchases, so that a
/// channel can offer "buy again". Without an optional parameter only the single latest; with any of them
/// (`channelId`, `productId`, `productTypeId`, or `limit` alone: decided here, since asking for a limit is asking
/// for a list) the latest per product, newest first, at most `limit`.
public struct UserTransactionLookupRoutes: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("userTransactions/1.0") { request, context -> Response in
            let query = try UserTransactionsQuery(request)
            _ = try context.authorize(clientId: query.clientId, allowing: [.support])
            let transactions = try await DatabaseSpan.measure("lookups.user_transactions") { try await database.read(query.statement) }
                .map(PurchaseSummary.init(row:))
            return JSONResponse.make(transactions, status: .ok)
        }
    }
}

extension UserTransactionsQuery {
    init(_ request: Request) throws {
        let clientId = try request.integerParameter("clientId", .digits(5))
        let sourceIdentifier = try request.stringParameter("sourceIdentifier", length: 1...32, alphanumeric: true)
        let channelId = try request.optionalIntegerParameter("channelId", .channelId)
        let productId = try request.optionalIntegerParameter("productId", .digits(12))
        let productTypeId = try request.optionalIntegerParameter("productTypeId", .digits(9))
        let limit = try request.optionalIntegerParameter("limit", IntegerRule(1...Self.maxLimit))
        let filtered = channelId != nil || productId != nil || productTypeId != nil || limit != nil
        self.init(
            clientId: clientId, sourceIdentifier: sourceIdentifier, channelId: channelId, productId: productId,
            productTypeId: productTypeId, limit: filtered ? (limit ?? Self.defaultLimit) : 1)
    }
}
