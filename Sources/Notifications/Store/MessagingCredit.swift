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

    /// The credit available now; nil when the client has no messaging account.
    public func available(clientId: Int64) async throws -> Int64? {
        try await database.query("""
            SELECT b.available FROM catalogue.clients c JOIN ledger.balances b ON b.code = c.messaging_account_code
            WHERE c.client_id = \(clientId)
            """).first?.decode(Int64.self, "available")
    }
}
