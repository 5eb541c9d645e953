public import Foundation
public import Postgres
import TransactCore

/// `GET /support/transactions` (API.md §8): transactions of every client, newest first, a page at a time. Each
/// filter narrows; a search by an exact identifier (raasTxnRef, clientTxnRef, buyer, recipient, or the bank's
/// reference with its client) uses that identifier's index over all time; any other search (client, vendor,
/// product, status) reads the time index within a bounded range, by default the last 7 days.
public struct TransactionSearch: Sendable {
    public var raasTxnRef: UUID?
    public var clientTxnRef: String?
    public var reserveFundsTxnRef: String?
    public var sourceIdentifier: String?
    public var targetIdentifier: String?
    public var clientId: Int64?
    public var vendorId: Int64?
    public var productId: Int64?
    public var status: Status?
    public var from: Date?
    public var to: Date?
    public var limit: Int
    public var after: Cursor?

    public enum Status: String, Sendable, CaseIterable {
        case pending = "PENDING", success = "SUCCESS", failed = "FAILED"
    }

    /// Where a page ends: the last row's creation time (microseconds since 1970) and raasTxnRef. The next page
    /// starts strictly after it, so rows created meanwhile never shift a page.
    public struct Cursor: Sendable, Equatable, CustomStringConvertible {
        let micros: Int64
        let raasTxnRef: UUID

        public init?(_ text: String) {
            let parts = text.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].utf8.count <= 18, let micros = Int64(parts[0]), micros >= 0,
                let reference = UUID(uuidString: String(parts[1]))
            else { return nil }
            self.micros = micros
            self.raasTxnRef = reference
        }

        init(micros: Int64, raasTxnRef: UUID) {
            self.micros = micros
            self.raasTxnRef = raasTxnRef
        }

        public var description: String { "\(micros)_\(raasTxnRef.uuidString.lowercased())" }
    }

    public init(limit: Int) {
        self.limit = limit
    }

    /// Whether an identifier's own index answers the search, so that it needs no time range.
    var hasExactIdentifier: Bool {
        raasTxnRef != nil || clientTxnRef != nil || sourceIdentifier != nil || targetIdentifier != nil
            || (reserveFundsTxnRef != nil && clientId != nil)
    }

    /// The statement: the filters given, the page's start, newest first, one row more than the page (to tell
    /// whether there is a next one).
    var statement: PostgresQuery {
        var query: PostgresQuery = """
            SELECT t.raas_txn_ref, t.client_txn_ref, t.client_id, t.vendor_id, t.product_id, t.source_identifier,
                   t.target_identifier, t.currency_code, t.purchase_amount, t.state,
                   purchases.public_status(t.state) AS transaction_status,
                   coalesce(t.transact_result_response_code, t.response_code) AS response_code,
                   \(unescaped: TransactionStory.utc("t.created_at")) AS created,
                   (extract(epoch FROM t.created_at) * 1000000)::bigint AS created_micros
            FROM purchases.transactions t WHERE true
            """
        if let raasTxnRef { query.append(" AND t.raas_txn_ref = \(raasTxnRef)") }
        if let clientTxnRef { query.append(" AND t.client_txn_ref = \(clientTxnRef)") }
        if let reserveFundsTxnRef {
            // With its client, the bank's reference is looked up (purchases.bank_references); without, it narrows.
            if let clientId {
                query.append("""
                     AND t.raas_txn_ref IN (SELECT b.raas_txn_ref FROM purchases.bank_references b
                                            WHERE b.client_id = \(clientId) AND b.reserve_funds_txn_ref = \(reserveFundsTxnRef))
                    """)
            } else {
                query.append(" AND t.reserve_funds_txn_ref = \(reserveFundsTxnRef)")
            }
        }
        if let sourceIdentifier { query.append(" AND t.source_identifier = \(sourceIdentifier)") }
        if let targetIdentifier { query.append(" AND t.target_identifier = \(targetIdentifier)") }
        if let clientId { query.append(" AND t.client_id = \(clientId)") }
        if let vendorId { query.append(" AND t.vendor_id = \(vendorId)") }
        if let productId { query.append(" AND t.product_id = \(productId)") }
        switch status {
        case .pending:
            // Not final: the purchase has an open job (the jobs are few, the purchases many), whose copy of the
            // purchase's creation time bounds the range on their index too.
            query.append(" AND t.raas_txn_ref IN (SELECT j.raas_txn_ref FROM purchases.jobs j WHERE j.stage = 'open'")
            if let from { query.append(" AND j.purchase_created_at >= \(from)") }
            if let to { query.append(" AND j.purchase_created_at < \(to)") }
            query.append(")")
        case .success: query.append(" AND t.state = 'success'")
        case .failed: query.append(" AND t.state IN ('failed', 'reserve_failed')")
        case nil: break
        }
        if let from { query.append(" AND t.created_at >= \(from)") }
        if let to { query.append(" AND t.created_at < \(to)") }
        if let after {
            query.append("""
                 AND (t.created_at, t.raas_txn_ref) < (timestamptz 'epoch' + \(after.micros) * interval '1 microsecond',
                                                       \(after.raasTxnRef))
                """)
        }
        query.append(" ORDER BY t.created_at DESC, t.raas_txn_ref DESC LIMIT \(Int32(limit + 1))")
        return query
    }

    /// One page: its rows and, when there are more, where the next one starts.
    public struct Page: Encodable, Sendable {
        public let transactions: [Row]
        public let nextCursor: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(transactions, forKey: .transactions)
            try container.encode(nextCursor, forKey: .nextCursor)
        }

        enum CodingKeys: String, CodingKey { case transactions, nextCursor }
    }

    public struct Row: Encodable, Sendable {
        public let raasTxnRef: String
        public let clientTxnRef: String
        public let clientId: Int64
        public let vendorId: Int64?
        public let productId: Int64
        public let sourceIdentifier: String
        public let targetIdentifier: String
        public let currencyCode: String
        public let purchaseAmount: Int64
        public let transactionStatus: String
        public let state: String
        public let responseCode: String?
        public let createdAt: String
    }

    public func run(on database: any PostgresQueryable) async throws -> Page {
        let rows = try await database.read(statement)
        var page: [Row] = []
        var last: Cursor?
        for row in rows.prefix(limit) {
            let reference = try row.decode(UUID.self, "raas_txn_ref")
            page.append(Row(
                raasTxnRef: reference.uuidString.lowercased(), clientTxnRef: try row.decode(String.self, "client_txn_ref"),
                clientId: try row.decode(Int64.self, "client_id"), vendorId: try row.decode(Int64?.self, "vendor_id"),
                productId: try row.decode(Int64.self, "product_id"),
                sourceIdentifier: try row.decode(String.self, "source_identifier"),
                targetIdentifier: try row.decode(String.self, "target_identifier"),
                currencyCode: try row.decode(String.self, "currency_code"),
                purchaseAmount: try row.decode(Int64.self, "purchase_amount"),
                transactionStatus: try row.decode(String.self, "transaction_status"),
                state: try row.decode(String.self, "state"), responseCode: try row.decode(String?.self, "response_code"),
                createdAt: try row.decode(String.self, "created")))
            last = Cursor(micros: try row.decode(Int64.self, "created_micros"), raasTxnRef: reference)
        }
        return Page(transactions: page, nextCursor: rows.count > limit ? last?.description : nil)
    }
}
