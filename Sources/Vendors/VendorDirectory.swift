public import Postgres
import Runtime

/// The adapter of each vendor, built from its `catalogue.vendors` row and kept for `cacheTTL`, so that a vend does
/// not read the row each time.
public final class VendorDirectory: Sendable {
    private let database: any PostgresQueryable
    private let simulated: SimulatedVendorAdapter
    private let cache: ExpiringCache<Int64, (any Vendor)?>

    public init(database: any PostgresQueryable, simulated: SimulatedVendorAdapter = SimulatedVendorAdapter(), cacheTTL: Duration = .seconds(5)) {
        self.database = database
        self.simulated = simulated
        self.cache = ExpiringCache(ttl: cacheTTL)
    }

    /// The vendor's adapter, or nil when there is no vendor with this id.
    public func adapter(for vendorId: Int64) async throws -> (any Vendor)? {
        try await cache.value(for: vendorId) { try await read(vendorId) }
    }

    private func read(_ vendorId: Int64) async throws -> (any Vendor)? {
        let rows = try await database.query("""
            SELECT adapter, url, vend_timeout_ms FROM catalogue.vendors WHERE vendor_id = \(vendorId)
            """)
        return try rows.first.map { row -> any Vendor in
            let timeoutMs = try row.decode(Int.self, "vend_timeout_ms")
            return if try row.decode(String.self, "adapter") == "http" {
                HTTPVendor(baseURL: try row.decode(String?.self, "url") ?? "", timeout: .milliseconds(timeoutMs))
            } else {
                simulated
            }
        }
    }
}
