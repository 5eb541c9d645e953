public import Postgres
import Runtime

/// Each client's own endpoint of one kind (`url`): its `transactResultUrl` (the Transact flow), its notification
/// callback URL (API.md §7) or its Chat 2 Pay callback URL (§12). Requests are signed with the client's Signature secret when the client requires signed
/// requests; kept for `cacheTTL`.
public final class ClientEndpoints: Sendable {
    /// Which of a client's URLs: the SQL that reads it beside the client's row.
    public enum URLKind: String, Sendable {
        case transactResult = "transact_result_url"
        case notificationCallback = "notification_callback_url"
        case chat2PayCallback = "(SELECT m.callback_url FROM chat2pay.merchants m WHERE m.client_id = catalogue.clients.client_id)"
    }

    private let database: any PostgresQueryable
    private let url: URLKind
    private let timeout: Duration
    private let open: @Sendable (_ sealed: String, _ purpose: String) throws -> [UInt8]
    private let cache: ExpiringCache<Int64, HTTPEndpoint?>

    public init(
        database: any PostgresQueryable, open: @escaping @Sendable (_ sealed: String, _ purpose: String) throws -> [UInt8],
        url: URLKind = .transactResult, timeout: Duration = .seconds(30), cacheTTL: Duration = .seconds(5)
    ) {
        self.database = database
        self.url = url
        self.timeout = timeout
        self.open = open
        self.cache = ExpiringCache(ttl: cacheTTL)
    }

    /// The client's endpoint; nil when it has no such URL.
    public func endpoint(for clientId: Int64) async throws -> HTTPEndpoint? {
        try await cache.value(for: clientId) { try await read(clientId) }
    }

    private func read(_ clientId: Int64) async throws -> HTTPEndpoint? {
        let rows = try await database.query("""
            SELECT \(unescaped: url.rawValue) AS url, signature_required, signature_secret_sealed FROM catalogue.clients
            WHERE client_id = \(clientId)
            """)
        return try rows.first.flatMap { row -> HTTPEndpoint? in
            guard let url = try row.decode(String?.self, "url") else { return nil }
            let secret = try row.decode(Bool.self, "signature_required")
                ? try row.decode(String?.self, "signature_secret_sealed").map { try open($0, "client:\(clientId):signature") }
                : nil
            return HTTPEndpoint(url: url, transport: SignedHTTPTransport(auth: .none, signatureSecret: secret), timeout: timeout)
        }
    }
}
