public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore

/// `GET /lookup-api/2.0`, Transaction Lookup (API.md §6): one of the client's transactions of the last 30 days by
/// its raasTxnRef, clientTxnRef (alias clientTransactionReference) or reserveFundsTxnRef. When several are given,
/// the transaction must carry every one of them (decided here).
public struct TransactionLookupRoutes: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("lookup-api/2.0") { request, context -> Response in
            let query = try TransactionLookupQuery(request)
            _ = try context.authorize(clientId: query.clientId, allowing: [.support])
            guard let row = try await database.query(query.statement).first,
                case let transaction = try TransactionView(row: row), transaction.matches(every: query.references)
            else {
                throw APIError(
                    status: .notFound, responseCode: "4000",
                    responseMessage: "Client transaction reference ID \(query.references[0].text) not found")
            }
            return JSONResponse.make(transaction, status: .ok)
        }
    }
}

extension TransactionLookupQuery {
    static let missingReference = APIError(
        status: .badRequest, responseCode: "4000",
        responseMessage: "Missing parameter; at least one of these parameters are mandatory: raasTxnRef, clientTxnRef or reserveFundsTxnRef")

    init(_ request: Request) throws {
        let clientId = try request.integerParameter("clientId", maxDigits: 5)
        var references: [Reference] = []
        if let text = try request.optionalStringParameter("raasTxnRef", length: 1...64) {
            guard let reference = RaasTxnRef(parsing: text.lowercased()) else {
                throw APIError.format("raasTxnRef", "must be a raasTxnRef issued by this service")
            }
            references.append(.raasTxnRef(reference))
        }
        let clientTxnRef = try request.optionalStringParameter("clientTxnRef", length: 1...64)
        let alias = try request.optionalStringParameter("clientTransactionReference", length: 1...64)
        if let clientTxnRef, let alias, clientTxnRef != alias {
            throw APIError.format("clientTxnRef", "must equal clientTransactionReference when both are given")
        }
        if let text = clientTxnRef ?? alias { references.append(.clientTxnRef(text)) }
        if let text = try request.optionalStringParameter("reserveFundsTxnRef", length: 1...64) {
            references.append(.reserveFundsTxnRef(text))
        }
        guard !references.isEmpty else { throw Self.missingReference }
        self.init(clientId: clientId, references: references)
    }
}
