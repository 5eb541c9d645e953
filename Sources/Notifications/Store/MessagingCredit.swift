public import Foundation
public import Postgres

/// A client's prepaid messaging credit (API.md §7): a ledger account that each message's price is drawn from.
public struct MessagingCredit: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    /// Adds `amount` (minor units of `currency`) to the client's credit; the credit available afterwards. The same
    /// `transferId` again is the same top-up, booked once.
    public func topUp(clientId: Int64, currency: String, amount: Int64, transferId: UUID) async throws -> Int64 {
        try await database.query("""
            SELECT notifications.top_up(\(clientId), \(currency), \(amount), \(transferId)) AS available
            """).single().decode(Int64.self, "available")
    }

    /// Whether the client's credit can pay for `messages` more on these channels (6, 8) at its prices; a client
    /// with no messaging account pays nothing. A check before accepting: the charge at sending stays the rule (25).
    public func canPay(clientId: Int64, channels: [Int64]) async throws -> Bool {
        guard !channels.isEmpty else { return true }
        return try await database.query("""
            SELECT b.available IS NULL
                   OR b.available >= (SELECT coalesce(sum(coalesce((c.message_prices ->> ch::text)::bigint, 0)), 0)
                                      FROM unnest(\(channels)::bigint[]) AS ch) AS can_pay
            FROM catalogue.clients c LEFT JOIN ledger.balances b ON b.code = c.messaging_account_code
            WHERE c.client_id = \(clientId)
            """).first?.decode(Bool.self, "can_pay") ?? false
    }

    /// The credit available now; nil when the client has no messaging account.
    public func available(clientId: Int64) async throws -> Int64? {
        try await database.query("""
            SELECT b.available FROM catalogue.clients c JOIN ledger.balances b ON b.code = c.messaging_account_code
            WHERE c.client_id = \(clientId)
            """).first?.decode(Int64.self, "available")
    }
}
