public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore
import Observability

/// `POST /in-flight-transaction-check/1.0` (API.md §6): whether the client has a purchase of the same thing for
/// the same buyer and recipient still in progress, so that a channel can warn before buying twice.
public struct InFlightCheckRoutes: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    struct Answer: Encodable {
        struct Transaction: Encodable {
            let raasTxnRef: String
            let created: String
        }

        let hasPendingTransactions: Bool
        let transactions: [Transaction]
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post("in-flight-transaction-check/1.0") { request, context -> Response in
            let query = try await request.validatedBody { body throws(FormatError) in try InFlightQuery(body: body) }
            _ = try context.authorize(clientId: query.clientId, allowing: [.support])
            let transactions = try await DatabaseSpan.measure("lookups.in_flight") { try await database.read(query.statement) }.map { row in
                Answer.Transaction(raasTxnRef: try row.decode(String.self, "raas_txn_ref"), created: try row.decode(String.self, "created"))
            }
            return JSONResponse.make(Answer(hasPendingTransactions: !transactions.isEmpty, transactions: transactions), status: .ok)
        }
    }
}

extension InFlightQuery {
    /// Every field required, with the purchase's own rules (API.md §3.1).
    init(body: JSONRequestBody) throws(FormatError) {
        let sourceIdentifier = try body.requiredString("sourceIdentifier", length: 1...32, alphanumeric: true)
        let targetIdentifier = try body.requiredString("targetIdentifier", length: 1...32, alphanumeric: true)
        let clientId = try body.requiredInteger("clientId", .digits(5))
        let productId = try body.requiredInteger("productId", .digits(12))
        let purchaseAmount = try body.requiredInteger("purchaseAmount", .positiveAmount)
        self.init(
            clientId: clientId, sourceIdentifier: sourceIdentifier, targetIdentifier: targetIdentifier, productId: productId,
            purchaseAmount: purchaseAmount)
    }
}
