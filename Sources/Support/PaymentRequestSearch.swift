public import Foundation
public import Hummingbird
public import Postgres
import ServiceHTTP
import TransactCore

/// `GET /support/payment-requests` (API.md §8, §12): Chat 2 Pay's payment requests of every client, newest first —
/// by reference, by a client's order number, by the customer's number, or the newest of a client or of all. And a
/// request's whole story (`GET /support/payment-requests/{paymentLinkRef}`).
public struct PaymentRequestSearch: Sendable {
    public var paymentLinkRef: UUID?
    public var clientId: Int64?
    public var orderNumber: String?
    public var to: String?
    public var limit: Int

    /// The search's filters by name (the console's form repeats them).
    public static let parameters = ["paymentLinkRef", "clientId", "orderNumber", "to"]

    public init(_ request: Request, configuration: SupportConfiguration) throws {
        limit = Int(try request.optionalIntegerParameter("limit", IntegerRule(1...Int64(configuration.maxPageSize)))
            ?? Int64(configuration.defaultPageSize))
        if let text = try request.optionalStringParameter("paymentLinkRef", length: 1...64) {
            guard let reference = UUID(uuidString: text) else { throw APIError.format("paymentLinkRef", "must be a UUID") }
            paymentLinkRef = reference
        }
        clientId = try request.optionalIntegerParameter("clientId", .digits(5))
        orderNumber = try request.optionalStringParameter("orderNumber", length: 1...64)
        if let to = try request.optionalStringParameter("to", length: 8...15) {
            guard FieldRules.isMSISDN(to) else { throw APIError(FormatError.notMSISDN("to")) }
            self.to = to
        }
    }

    /// The requests found, as JSON objects (API names, amounts in minor units).
    public func run(on database: any PostgresQueryable) async throws -> [[String: Any]] {
        try await database.read("""
            SELECT r::text AS request FROM chat2pay.search(
                \(paymentLinkRef), \(clientId), \(orderNumber), \(to), \(Int32(clamping: limit))) AS r
            """).map { row in
            let text = try row.decode(String.self, "request")
            return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        }
    }

    /// A request's story as JSON text; nil when there is none.
    public static func story(_ reference: UUID, on database: any PostgresQueryable) async throws -> String? {
        try await database.read("SELECT chat2pay.story(\(reference))::text AS story").first?.decode(String?.self, "story")
    }

    static let notFound = APIError(status: .notFound, Answer.paymentRequestNotFound.filled("(none)"))
}
