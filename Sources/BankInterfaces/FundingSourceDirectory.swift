public import Postgres
import OutboundHTTP
import Runtime

/// The adapter of each funding source, built from its `catalogue.funding_sources` row (sealed credentials opened
/// with the master key) and kept for `cacheTTL`, so that a purchase does not read the row each time.
public final class FundingSourceDirectory: Sendable {
    /// A funding source's adapter and how long a reservation may take. (Its result delivery policy is applied by
    /// `purchases.record_deliveries`, which reads it from the row itself.)
    public struct Entry: Sendable {
        public let fundingSourceId: Int64
        public let adapter: any FundingSource
        public let reservationTimeoutMs: Int
    }

    private let database: any PostgresQueryable
    private let open: @Sendable (_ sealed: String, _ purpose: String) throws -> [UInt8]
    private let simulatedBank: SimulatedBank
    private let cache: ExpiringCache<Int64, Entry?>

    /// `open` unseals a stored secret (a `SecretSealer`'s `open`); `simulatedBank` backs every `simulated` source.
    public init(
        database: any PostgresQueryable, open: @escaping @Sendable (_ sealed: String, _ purpose: String) throws -> [UInt8],
        simulatedBank: SimulatedBank = SimulatedBank(), cacheTTL: Duration = .seconds(5)
    ) {
        self.database = database
        self.open = open
        self.simulatedBank = simulatedBank
        self.cache = ExpiringCache(ttl: cacheTTL)
    }

    /// The funding source, or nil when there is none with this id.
    public func entry(for fundingSourceId: Int64) async throws -> Entry? {
        try await cache.value(for: fundingSourceId) { try await read(fundingSourceId) }
    }

    private func read(_ fundingSourceId: Int64) async throws -> Entry? {
        let rows = try await database.query("""
            SELECT adapter, reserve_funds_url, transact_result_url, status_lookup_url, auth_type, auth_username,
                   auth_secret_sealed, signature_secret_sealed, signature_required, reservation_timeout_ms
            FROM catalogue.funding_sources WHERE funding_source_id = \(fundingSourceId)
            """)
        return try rows.first.map { try makeEntry(fundingSourceId, $0) }
    }

    private func makeEntry(_ id: Int64, _ row: PostgresRow) throws -> Entry {
        let timeoutMs = try row.decode(Int.self, "reservation_timeout_ms")
        let adapter: any FundingSource
        if try row.decode(String.self, "adapter") == "simulated" {
            adapter = SimulatedFundingSource(bank: simulatedBank)
        } else {
            let secret = try row.decode(String?.self, "auth_secret_sealed").map {
                String(decoding: try open($0, "funding-source:\(id):auth"), as: UTF8.self)
            }
            let auth: HTTPFundingSource.Auth = switch (try row.decode(String.self, "auth_type"), secret) {
            case ("basic", let password?): .basic(username: try row.decode(String?.self, "auth_username") ?? "", password: password)
            case ("bearer", let token?): .bearer(token: token)
            default: .none
            }
            let signatureSecret = try row.decode(Bool.self, "signature_required")
                ? try row.decode(String?.self, "signature_secret_sealed").map { try open($0, "funding-source:\(id):signature") }
                : nil
            adapter = HTTPFundingSource(
                endpoints: .init(
                    reserveFundsURL: try row.decode(String?.self, "reserve_funds_url") ?? "",
                    transactResultURL: try row.decode(String?.self, "transact_result_url") ?? "",
                    statusLookupURL: try row.decode(String?.self, "status_lookup_url")),
                auth: auth, signatureSecret: signatureSecret, reservationTimeout: .milliseconds(timeoutMs))
        }
        return Entry(fundingSourceId: id, adapter: adapter, reservationTimeoutMs: timeoutMs)
    }
}
