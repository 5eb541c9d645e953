import Foundation
public import Postgres
import TransactCrypto

/// The console's sign-in sessions (support.console_sessions). The cookie carries a random token; the database keeps
/// only its SHA-256, so a copy of the table opens no session. Each session has its own CSRF token, an idle expiry
/// pushed on by every request, and an absolute one. A client disabled, no longer of role support, or whose secret
/// was rotated since the session began, loses its sessions at its next request.
public struct ConsoleSessions: Sendable {
    let database: any PostgresQueryable
    let idleMinutes: Int
    let hours: Int

    public static let cookieName = "transact_console"
    /// The sign-in form's own CSRF cookie (double submit: the form repeats it), before any session exists.
    public static let signInCookieName = "transact_console_signin"

    public init(database: any PostgresQueryable, idleMinutes: Int, hours: Int) {
        self.database = database
        self.idleMinutes = idleMinutes
        self.hours = hours
    }

    /// A signed-in support user.
    public struct Session: Sendable, Equatable {
        public let clientId: Int64
        public let csrfToken: String
    }

    /// A random token for a cookie or a form (256 bits, base64url).
    static func randomToken() -> String { Base64URL.encode(SecureRandom.bytes(count: 32)) }

    static func hash(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }

    /// Starts a session; the token for the cookie.
    public func start(clientId: Int64, remoteAddress: String?) async throws -> String {
        let token = Self.randomToken()
        try await database.query("""
            INSERT INTO support.console_sessions (token_hash, client_id, csrf_token, idle_expires_at, expires_at, remote_address)
            VALUES (\(Self.hash(token)), \(clientId), \(Self.randomToken()),
                    now() + make_interval(mins => \(Int32(idleMinutes))), now() + make_interval(hours => \(Int32(hours))),
                    \(remoteAddress.map { String($0.prefix(100)) }))
            """)
        // Expired sessions are swept as new ones start: the table holds at most a day's worth.
        try await database.query("DELETE FROM support.console_sessions WHERE expires_at < now() - interval '1 day'")
        return token
    }

    /// The session of a cookie's token, its idle expiry pushed on; nil when there is none, or it expired, or its
    /// client may no longer use the console.
    public func resume(token: String) async throws -> Session? {
        guard (40...64).contains(token.utf8.count) else { return nil }
        guard let row = try await database.query("""
            UPDATE support.console_sessions s SET idle_expires_at = now() + make_interval(mins => \(Int32(idleMinutes)))
            FROM catalogue.clients c
            WHERE s.token_hash = \(Self.hash(token)) AND s.idle_expires_at > now() AND s.expires_at > now()
              AND c.client_id = s.client_id AND c.status = 'active' AND c.role = 'support'
              AND s.created_at > c.secret_rotated_at
            RETURNING s.client_id, s.csrf_token
            """).first
        else { return nil }
        return Session(clientId: try row.decode(Int64.self, "client_id"), csrfToken: try row.decode(String.self, "csrf_token"))
    }

    public func end(token: String) async throws {
        try await database.query("DELETE FROM support.console_sessions WHERE token_hash = \(Self.hash(token))")
    }
}
