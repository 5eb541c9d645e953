import Foundation
import Hummingbird
import Postgres
import SecurityService
import ServiceHTTP
import HTTPTypes
import TestSupport
import TransactCrypto

/// Clients written straight into a test database, and the security components over it.
struct SecurityFixture {
    let db: PostgresClient
    let directory: ClientDirectory
    let keys: SigningKeyStore
    let issuer: TokenIssuer
    let verifier: TokenVerifier
    static let cheapHashing = Scrypt(logN: 8, blockSize: 8, parallelism: 1)

    init(db: PostgresClient, lifetimeSeconds: Int = 300) {
        self.db = db
        directory = ClientDirectory(database: db, cacheTTL: .zero)
        keys = SigningKeyStore(
            database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey), retiredKeyGrace: .seconds(lifetimeSeconds + 60),
            reloadInterval: .zero, refreshInterval: .zero)
        issuer = TokenIssuer(
            directory: directory, keys: keys, issuer: "transact", lifetimeSeconds: lifetimeSeconds, throttle: FailureThrottle())
        verifier = TokenVerifier(directory: directory, keys: keys, issuer: "transact")
    }

    func addClient(
        _ id: Int64, secret: String, apiKey: String, role: String = "client", status: String = "active",
        signatureSecret: String? = nil, rateLimitPerSecond: Int32 = 100
    ) async throws {
        if role == "vendor" {
            try await db.query("""
                INSERT INTO catalogue.vendors (vendor_id, name, adapter, vend_timeout_ms, max_attempts)
                VALUES (100, 'V', 'simulated', 5000, 3) ON CONFLICT DO NOTHING
                """)
        }
        let vendorId: Int64? = role == "vendor" ? 100 : nil
        let sealedSignature = try signatureSecret.map {
            try SecretSealer(masterKey: TestDatabase.masterKey).seal($0, purpose: "client:\(id):signature")
        }
        try await db.query("""
            INSERT INTO catalogue.clients (client_id, name, role, status, secret_hash, api_key_hash, vendor_id,
                signature_required, signature_secret_sealed, rate_limit_per_second)
            VALUES (\(id), \("Client \(id)"), \(role), \(status),
                    \(try ClientSecretHash.make(secret: secret, parameters: Self.cheapHashing)), \(APIKey.hash(apiKey)), \(vendorId),
                    \(signatureSecret != nil), \(sealedSignature), \(rateLimitPerSecond))
            """)
    }

    /// The middleware stack of the service, with test routes that exercise authorisation and Signature.
    func router() -> Router<TransactRequestContext> {
        let router = Router(context: TransactRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        TokenRoutes(issuer: issuer, keys: keys).add(to: router.group())
        let protected = router.group()
            .add(middleware: AuthenticationMiddleware(verifier: verifier))
            .add(middleware: RateLimitMiddleware(limiter: RateLimiter()))
        SessionRoutes().add(to: protected)
        struct Body: Decodable { let clientId: Int64 }
        protected.post("act-for") { request, context -> String in
            let body = try await request.decode(as: Body.self, context: context)
            return "acting for \(try context.authorize(clientId: body.clientId).clientId)"
        }
        protected.get("act-for") { request, context -> String in
            let clientId = request.uri.queryParameters.get("clientId", as: Int64.self) ?? 0
            return "acting for \(try context.authorize(clientId: clientId).clientId)"
        }
        protected.get("vendor-act") { request, context -> String in
            let vendorId = request.uri.queryParameters.get("vendorId", as: Int64.self) ?? 0
            return "acting for vendor \(try context.authorize(vendorId: vendorId).vendorId ?? 0)"
        }
        protected.group("signed")
            .add(middleware: SignatureMiddleware(sealer: SecretSealer(masterKey: TestDatabase.masterKey)))
            .post { request, context -> String in
                let body = try await request.body.collect(upTo: 65_536)
                return "\(body.readableBytes) bytes for \(try context.authorize(clientId: 200).clientId)"
            }
        return router
    }

    func token(_ id: Int64, _ secret: String) async throws -> String {
        try await issuer.issue(grantType: "client_credentials", clientId: String(id), clientSecret: secret).accessToken
    }

    /// Signs arbitrary claims with the service's current key, to forge expired or otherwise wrong tokens.
    func sign(_ claims: AccessTokenClaims) async throws -> String {
        let (kid, key) = try await keys.signingKey()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try JSONWebSignature.sign(payload: Array(try encoder.encode(claims)), keyID: kid, key: key)
    }

    func secretVersion(of id: Int64) async throws -> Int64 {
        let rotated = try await db.query("SELECT secret_rotated_at FROM catalogue.clients WHERE client_id = \(id)")
            .single().decode(Date.self, "secret_rotated_at")
        return Int64((rotated.timeIntervalSince1970 * 1_000).rounded())
    }
}
