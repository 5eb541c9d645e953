public import Foundation
public import Hummingbird
import Postgres
import ServiceHTTP
import TransactCore

/// What the support API and the console both read from a request and both do: one place for each rule.
public enum SupportRequests {
    static let notFound = APIError(status: .notFound, Answer.transactionNotFound.coded)

    /// The search's filters by name (the console's form repeats them); with `limit` and `cursor`, all that `search`
    /// reads.
    public static let searchParameters = [
        "raasTxnRef", "clientTxnRef", "reserveFundsTxnRef", "sourceIdentifier", "targetIdentifier", "clientId", "vendorId",
        "productId", "status", "from", "to",
    ]

    /// The search's parameters: each identifier, client, vendor, product, status, `from`/`to` (ISO 8601),
    /// `limit` and `cursor`. Without an exact identifier the range may span at most `maxSearchDays` (default: the
    /// last 7 days).
    public static func search(_ request: Request, configuration: SupportConfiguration, now: Date) throws -> TransactionSearch {
        var search = TransactionSearch(limit: Int(
            try request.optionalIntegerParameter("limit", IntegerRule(1...Int64(configuration.maxPageSize)))
                ?? Int64(configuration.defaultPageSize)))
        if let text = try request.optionalStringParameter("raasTxnRef", length: 1...64) {
            guard let reference = UUID(uuidString: text) else { throw APIError.format("raasTxnRef", "must be a UUID") }
            search.raasTxnRef = reference
        }
        search.clientTxnRef = try request.optionalStringParameter("clientTxnRef", length: 1...64)
        search.reserveFundsTxnRef = try request.optionalStringParameter("reserveFundsTxnRef", length: 1...64)
        search.sourceIdentifier = try request.optionalStringParameter("sourceIdentifier", length: 1...32)
        search.targetIdentifier = try request.optionalStringParameter("targetIdentifier", length: 1...32)
        search.clientId = try request.optionalIntegerParameter("clientId", .digits(5))
        search.vendorId = try request.optionalIntegerParameter("vendorId", .digits(12))
        search.productId = try request.optionalIntegerParameter("productId", .digits(12))
        if let text = try request.optionalStringParameter("status", length: 1...16) {
            guard let status = TransactionSearch.Status(rawValue: text.uppercased()) else {
                throw APIError.format("status", "must be PENDING, SUCCESS or FAILED")
            }
            search.status = status
        }
        search.from = try request.optionalTimestampParameter("from")
        search.to = try request.optionalTimestampParameter("to")
        if let from = search.from, let to = search.to, to <= from { throw APIError.format("to", "must be after from") }
        if let text = try request.optionalStringParameter("cursor", length: 1...64) {
            guard let cursor = TransactionSearch.Cursor(text) else { throw APIError.format("cursor", "is not a cursor of this search") }
            search.after = cursor
        }
        if !search.hasExactIdentifier {
            let maxSpan = Double(configuration.maxSearchDays) * 86_400
            switch (search.from, search.to) {
            case (nil, nil): search.from = now.addingTimeInterval(-7 * 86_400)
            case (let from?, nil): search.to = from.addingTimeInterval(maxSpan)
            case (nil, let to?): search.from = to.addingTimeInterval(-7 * 86_400)
            case (let from?, let to?) where to.timeIntervalSince(from) > maxSpan:
                throw APIError.format(
                    "to", "must be within \(configuration.maxSearchDays) days of from unless an identifier is given")
            default: break
            }
        }
        return search
    }

    static func raasTxnRef(_ context: TransactRequestContext) throws -> UUID {
        guard let reference = UUID(uuidString: try context.parameters.require("raasTxnRef")) else { throw notFound }
        return reference
    }

    /// Queues one more delivery of the transaction's result; 404 when there is no such transaction, 409 when it has
    /// no result to deliver (it reserved nothing, or is not final yet).
    static func resendResult(_ reference: UUID, on database: any PostgresQueryable) async throws {
        switch try await database.query("SELECT support.resend_result(\(reference)) AS outcome").single().decode(String.self, "outcome") {
        case "queued":
            return
        case "no_result":
            throw APIError(status: .conflict, Answer.noResultToDeliver.coded)
        default:
            throw notFound
        }
    }

    static func settlement(_ request: Request) throws -> (ReportDate, Int64?, Int64?) {
        let text = try request.stringParameter("date", length: 10...10)
        guard let date = ReportDate(text) else { throw APIError.format("date", "must be a date, YYYY-MM-DD") }
        let clientId = try request.optionalIntegerParameter("clientId", .digits(5))
        let vendorId = try request.optionalIntegerParameter("vendorId", .digits(12))
        return (date, clientId, vendorId)
    }

    static func wantsCSV(_ request: Request) throws -> Bool {
        switch try request.optionalStringParameter("format", length: 1...8) {
        case "csv": return true
        case "json": return false
        case nil: return request.headers[.accept]?.contains("text/csv") == true
        default: throw APIError.format("format", "must be csv or json")
        }
    }

    /// The report as a download: CSV or JSON, named after its day.
    static func file(_ report: SettlementReport, csv: Bool) -> Response {
        let name = "settlement-\(report.date)" + (report.clientId.map { "-client-\($0)" } ?? "")
            + (report.vendorId.map { "-vendor-\($0)" } ?? "") + (csv ? ".csv" : ".json")
        return Response(
            status: .ok,
            headers: [
                .contentType: csv ? "text/csv; charset=utf-8" : "application/json",
                .contentDisposition: "attachment; filename=\"\(name)\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: csv ? report.csv : report.json)))
    }
}
