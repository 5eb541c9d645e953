public import Postgres
import Runtime

/// The adapter of each vendor, built from its `catalogue.vendors` row and kept for `cacheTTL`, so that a vend does
/// not read the row each time.
public final class VendorDirectory: Sendable {
    public struct Entry: Sendable {
        public let vendorId: Int64
        public let adapter: any Vendor
        /// Attempts allowed per transaction, the first included.
        public let maxAttempts: Int
        public let vendTimeoutMs: Int
    }

    private let database: any PostgresQueryable
    private let simulated: SimulatedVendorAdapter
    private let cache: ExpiringCache<Int64, Entry?>

    public init(database: any PostgresQueryable, simulated: SimulatedVendorAdapter = SimulatedVendorAdapter(), cacheTTL: Duration = .seconds(5)) {
        self.database = database
        self.simulated = simulated
        self.cache = ExpiringCache(ttl: cacheTTL)
    }

    /// The vendor, or nil when there is none with this id.
    public func entry(for vendorId: Int64) async throws -> Entry? {
        try await cache.value(for: vendorId) { try await read(vendorId) }
    }

    private func read(_ vendorId: Int64) async throws -> Entry? {
        let rows = try await database.query("""
            SELECT adapter, url, vend_timeout_ms, max_attempts FROM catalogue.vendors WHERE vendor_id = \(vendorId)
            """)
        return try rows.first.map { row -> Entry in
            let timeoutMs = try row.decode(Int.self, "vend_timeout_ms")
            let adapter: any Vendor = if try row.decode(String.self, "adapter") == "http" {
                HTTPVendor(baseURL: try row.decode(String?.self, "url") ?? "", timeout: .milliseconds(timeoutMs))
            } else {
                simulated
            }
            return Entry(
                vendorId: vendorId, adapter: adapter, maxAttempts: try row.decode(Int.self, "max_attempts"),
                vendTimeoutMs: timeoutMs)
        }
    }
}
