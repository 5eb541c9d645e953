public import Postgres

/// Each client's own `transactResultUrl` (the Transact flow), signed with the client's Signature secret when the
/// client requires signed requests; kept for `cacheTTL`.
public final class ClientResultEndpoints: Sendable {
    private let database: any PostgresQueryable
    private let open: @Sendable (_ sealed: String, _ purpose: String) throws -> [UInt8]
    private let cache: ExpiringCache<Int64, HTTPResultEndpoint?>

    public init(
        database: any PostgresQueryable, open: @escaping @Sendable (_ sealed: String, _ purpose: String) throws -> [UInt8],
        cacheTTL: Duration = .seconds(5)
    ) {
        self.database = database
        self.open = open
        self.cache = ExpiringCache(ttl: cacheTTL)
    }

    /// The client's endpoint; nil when it has no `transactResultUrl`.
    public func endpoint(for clientId: Int64) async throws -> HTTPResultEndpoint? {
        try await cache.value(for: clientId) { try await read(clientId) }
    }

    private func read(_ clientId: Int64) async throws -> HTTPResultEndpoint? {
        let rows = try await database.query("""
            SELECT transact_result_url, signature_required, signature_secret_sealed FROM catalogue.clients
            WHERE client_id = \(clientId)
            """)
        return try rows.first.flatMap { row -> HTTPResultEndpoint? in
            guard let url = try row.decode(String?.self, "transact_result_url") else { return nil }
            let secret = try row.decode(Bool.self, "signature_required")
                ? try row.decode(String?.self, "signature_secret_sealed").map { try open($0, "client:\(clientId):signature") }
                : nil
            return HTTPResultEndpoint(url: url, transport: BankHTTPTransport(auth: .none, signatureSecret: secret))
        }
    }
}
