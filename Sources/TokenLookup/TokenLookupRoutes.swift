public import Hummingbird
public import Postgres
public import ServiceHTTP

/// `GET /tokenLookup/1.0`, Token Lookup (API.md §6): the tokens (vouchers, PINs, electricity tokens) of the
/// buyer's successful purchases, newest first, so that a buyer who lost one can see it again.
public struct TokenLookupRoutes: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    struct Answer: Encodable {
        struct UserToken: Encodable {
            let targetIdentifier: String
            let clientId: Int64
            let channelId: Int64
            let productId: Int64
            let productTypeId: Int64?
            let description: String
            let raasTxnRef: String
            let transactionDate: String
            let purchaseAmount: Int64
            let token: String
        }

        let userTokens: [UserToken]
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("tokenLookup/1.0") { request, context -> Response in
            let query = try TokenLookupQuery(request)
            _ = try context.authorize(clientId: query.clientId, allowing: [.support])
            let tokens = try await database.query(query.statement).map { row in
                Answer.UserToken(
                    targetIdentifier: try row.decode(String.self, "target_identifier"),
                    clientId: try row.decode(Int64.self, "client_id"), channelId: try row.decode(Int64.self, "channel_id"),
                    productId: try row.decode(Int64.self, "product_id"),
                    productTypeId: try row.decode(Int64?.self, "product_type_id"),
                    description: try row.decode(String.self, "description"),
                    raasTxnRef: try row.decode(String.self, "raas_txn_ref"),
                    transactionDate: try row.decode(String.self, "transaction_date"),
                    purchaseAmount: try row.decode(Int64.self, "purchase_amount"), token: try row.decode(String.self, "token"))
            }
            return JSONResponse.make(Answer(userTokens: tokens), status: .ok)
        }
    }
}

extension TokenLookupQuery {
    init(_ request: Request) throws {
        self.init(
            clientId: try request.integerParameter("clientId", maxDigits: 5),
            sourceIdentifier: try request.stringParameter("sourceIdentifier", length: 1...32, alphanumeric: true),
            channelId: try request.optionalIntegerParameter("channelId", in: 1...99),
            productTypeId: try request.optionalIntegerParameter("productTypeId", maxDigits: 9),
            limit: try request.optionalIntegerParameter("limit", in: 1...Self.maxLimit) ?? Self.defaultLimit)
    }
}
