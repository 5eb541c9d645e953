import Foundation
public import Postgres

/// `GET /support/exceptions` (API.md §8): what needs a person, newest first. Results not acknowledged within the
/// funding source's confirmation window or 7 business days (weekends and the configured public holidays excluded),
/// whichever ends first; reservations whose outcome at the bank is unknown; vendor confirmations that contradict a
/// final transaction.
public struct SupportExceptions: Sendable {
    public struct Item: Encodable, Sendable {
        public let kind: String
        public let raasTxnRef: String
        public let clientId: Int64
        public let since: String
        public let detail: String
    }

    public static func list(holidays: [String], limit: Int, on database: any PostgresQueryable) async throws -> [Item] {
        try await database.read("""
            SELECT e.kind, e.raas_txn_ref, e.client_id, e.detail,
                   purchases.api_time(e.since) AS since
            FROM support.exceptions(\(holidays)::date[], \(Int32(clamping: limit))) e
            """).map { row in
            Item(
                kind: try row.decode(String.self, "kind"),
                raasTxnRef: try row.decode(UUID.self, "raas_txn_ref").uuidString.lowercased(),
                clientId: try row.decode(Int64.self, "client_id"), since: try row.decode(String.self, "since"),
                detail: try row.decode(String.self, "detail"))
        }
    }
}
