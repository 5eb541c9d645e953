public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore
import Observability

/// `GET /tokenLookup/1.0`, Token Lookup (API.md §6): the tokens (vouchers, PINs, electricity tokens) of the
/// buyer's successful purchases, newest first, so that a buyer who lost one can see it again.
public struct TokenLookupRoutes: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    struct Answer: Encodable {
        /// A purchase's summary and its token, in one object.
        struct UserToken: Encodable {
            let purchase: PurchaseSummary
            let token: String

            enum CodingKeys: String, CodingKey {
                case token
            }

            func encode(to encoder: any Encoder) throws {
                try purchase.encode(to: encoder)
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(token, forKey: .token)
            }
        }

        let userTokens: [UserToken]
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("tokenLookup/1.0") { request, context -> Response in
            let query = try TokenLookupQuery(request)
            _ = try context.authorize(clientId: query.clientId, allowing: [.support])
            let tokens = try await DatabaseSpan.measure("lookups.tokens") { try await database.read(query.statement) }.map { row in
                Answer.UserToken(purchase: try PurchaseSummary(row: row), token: try row.decode(String.self, "token"))
            }
            return JSONResponse.make(Answer(userTokens: tokens), status: .ok)
        }
    }
}

extension TokenLookupQuery {
    init(_ request: Request) throws {
        self.init(
            clientId: try request.integerParameter("clientId", .digits(5)),
            sourceIdentifier: try request.stringParameter("sourceIdentifier", length: 1...32, alphanumeric: true),
            channelId: try request.optionalIntegerParameter("channelId", .channelId),
            productTypeId: try request.optionalIntegerParameter("productTypeId", .digits(9)),
            limit: try request.optionalIntegerParameter("limit", IntegerRule(1...Self.maxLimit)) ?? Self.defaultLimit)
    }
}
