public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore
import Observability

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
            let lookup = try TransactionLookupRequest(request)
            _ = try context.authorize(clientId: lookup.clientId, allowing: [.support])
            guard case .query(let query) = lookup.search, let row = try await DatabaseSpan.measure("lookups.transaction", { try await database.read(query.statement) }).first,
                case let transaction = try TransactionView(row: row), transaction.matches(every: query.references)
            else { throw Self.notFound(lookup.firstReference) }
            return JSONResponse.make(transaction, status: .ok)
        }
    }

    static func notFound(_ reference: String) -> APIError {
        APIError(status: .notFound, Answer.clientTransactionNotFound.filled(reference))
    }
}

/// The parameters of a Transaction Lookup. A raasTxnRef that is not a UUID names no transaction this service
/// issued, so it is answered as not found (API.md §6), like any other reference that matches nothing.
struct TransactionLookupRequest {
    enum Search {
        case query(TransactionLookupQuery)
        case nothingCanMatch
    }

    let clientId: Int64
    let search: Search
    /// The reference the answer names when nothing is found.
    let firstReference: String

    static let missingReference = APIError(status: .badRequest, Answer.missingTransactionReference.coded)

    init(_ request: Request) throws {
        clientId = try request.integerParameter("clientId", .digits(5))
        var references: [TransactionLookupQuery.Reference] = []
        var texts: [String] = []
        var matchable = true
        if let text = try request.optionalStringParameter("raasTxnRef", length: 1...64) {
            texts.append(text)
            if let reference = RaasTxnRef(parsing: text.lowercased()) {
                references.append(.raasTxnRef(reference))
            } else {
                matchable = false
            }
        }
        let clientTxnRef = try request.optionalStringParameter("clientTxnRef", length: 1...64)
        let alias = try request.optionalStringParameter("clientTransactionReference", length: 1...64)
        if let clientTxnRef, let alias, clientTxnRef != alias {
            throw APIError.format("clientTxnRef", "must equal clientTransactionReference when both are given")
        }
        if let text = clientTxnRef ?? alias {
            texts.append(text)
            references.append(.clientTxnRef(text))
        }
        if let text = try request.optionalStringParameter("reserveFundsTxnRef", length: 1...64) {
            texts.append(text)
            references.append(.reserveFundsTxnRef(text))
        }
        guard let first = texts.first else { throw Self.missingReference }
        firstReference = first
        search = matchable ? .query(TransactionLookupQuery(clientId: clientId, references: references)) : .nothingCanMatch
    }
}
