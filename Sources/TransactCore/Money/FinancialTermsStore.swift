public import Postgres

/// Reads the terms that apply now to a client and product.
public struct FinancialTermsStore: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    /// The product's currency and the client's current terms, or nil when the product does not exist or is not
    /// linked to the client (the two look the same, so one client cannot learn another's catalogue). A linked
    /// product without terms has no fee and no shares (decided here).
    public func quote(clientId: Int64, productId: Int64) async throws -> (currencyCode: String, terms: FeeSchedule)? {
        let rows = try await database.read("""
            SELECT p.currency_code, t.fee_fixed, t.fee_bps, t.fee_min, t.fee_max, t.client_share_bps, t.vendor_share_bps
            FROM catalogue.products p
            JOIN catalogue.client_products cp ON cp.product_id = p.product_id AND cp.client_id = \(clientId)
            LEFT JOIN LATERAL catalogue.current_terms(\(clientId), p.product_id) t ON true
            WHERE p.product_id = \(productId)
            """)
        guard let row = rows.first else { return nil }
        return (try row.decode(String.self, "currency_code"), try FeeSchedule(row: row))
    }
}

extension FeeSchedule {
    /// From the columns of `catalogue.current_terms`, NULL (no terms) meaning none.
    public init(row: PostgresRow) throws {
        self.init(
            feeFixedMinor: try row.decode(Int64?.self, "fee_fixed") ?? 0,
            feeBasisPoints: try row.decode(Int64?.self, "fee_bps") ?? 0,
            feeMinMinor: try row.decode(Int64?.self, "fee_min"),
            feeMaxMinor: try row.decode(Int64?.self, "fee_max"),
            clientShareBasisPoints: try row.decode(Int64?.self, "client_share_bps") ?? 0,
            vendorShareBasisPoints: try row.decode(Int64?.self, "vendor_share_bps") ?? 0)
    }
}
