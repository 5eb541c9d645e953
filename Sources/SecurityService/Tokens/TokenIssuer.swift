import Foundation
import Synchronization
import TransactCrypto

/// `POST /token` (client credentials, API.md §1.1): checks the client's secret and signs an access token.
public final class TokenIssuer: Sendable {
    public struct Grant: Sendable, Equatable {
        public let accessToken: String
        public let expiresIn: Int
        public let scope: String
    }

    /// Why no token was issued, as OAuth 2 names it.
    public enum Refusal: Error, Sendable, Equatable {
        case invalidRequest(String)
        case unsupportedGrantType
        case unknownClient
        case invalidSecret
        /// Too many recent failures for this client id.
        case throttled(retryAfterSeconds: Int)
    }

    private let directory: ClientDirectory
    private let keys: SigningKeyStore
    private let issuer: String
    private let lifetimeSeconds: Int
    private let throttle: FailureThrottle
    /// Secrets verified recently, by client: the stored hash they verified against and a keyed hash of the secret,
    /// so that a client asking for a token every few minutes does not pay scrypt each time. The key is random per
    /// process, so the cache is useless to anyone who reads it.
    private let verifiedSecrets = Mutex<[Int64: (storedHash: String, secretMAC: [UInt8])]>([:])
    private let cacheKey = SecureRandom.bytes(count: 32)
    private static let maxVerifiedSecrets = 10_000

    public init(directory: ClientDirectory, keys: SigningKeyStore, issuer: String, lifetimeSeconds: Int, throttle: FailureThrottle) {
        self.directory = directory
        self.keys = keys
        self.issuer = issuer
        self.lifetimeSeconds = lifetimeSeconds
        self.throttle = throttle
    }

    public func issue(grantType: String?, clientId: String?, clientSecret: String?) async throws -> Grant {
        guard let grantType, !grantType.isEmpty else { throw Refusal.invalidRequest("grant_type is required") }
        guard grantType == "client_credentials" else { throw Refusal.unsupportedGrantType }
        let record = try await authenticate(clientId: clientId, clientSecret: clientSecret)

        let now = Int64(Date().timeIntervalSince1970)
        let claims = AccessTokenClaims(
            iss: issuer, sub: String(record.clientId), iat: now, nbf: now, exp: now + Int64(lifetimeSeconds),
            jti: UUID().uuidString.lowercased(), role: record.role.rawValue, scope: record.role.scope,
            vendorId: record.vendorId, secretVersion: record.secretVersion)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let (kid, key) = try await keys.signingKey()
        let token = try JSONWebSignature.sign(payload: Array(try encoder.encode(claims)), keyID: kid, key: key)
        return Grant(accessToken: token, expiresIn: lifetimeSeconds, scope: record.role.scope)
    }

    /// The active client whose id and secret these are; failures count towards the client id's throttle. Also how
    /// the support console signs its users in.
    public func authenticate(clientId: String?, clientSecret: String?) async throws -> ClientRecord {
        guard let clientId, !clientId.isEmpty, clientId.count <= 16 else { throw Refusal.unknownClient }
        if let seconds = throttle.retryAfter(clientId) { throw Refusal.throttled(retryAfterSeconds: seconds) }
        guard let clientSecret, !clientSecret.isEmpty, clientSecret.utf8.count <= ClientSecretHash.maxSecretLength else {
            throttle.recordFailure(clientId)
            throw Refusal.invalidSecret
        }
        guard let id = Int64(clientId), id > 0, let record = try await directory.record(for: id), record.isActive else {
            throttle.recordFailure(clientId)
            throw Refusal.unknownClient
        }
        guard await verify(secret: clientSecret, of: record) else {
            throttle.recordFailure(clientId)
            throw Refusal.invalidSecret
        }
        throttle.recordSuccess(clientId)
        return record
    }

    private func verify(secret: String, of record: ClientRecord) async -> Bool {
        let mac = HMACSHA256.authenticationCode(key: cacheKey, message: Array(secret.utf8))
        if let cached = verifiedSecrets.withLock({ $0[record.clientId] }), cached.storedHash == record.secretHash,
            ConstantTime.equals(cached.secretMAC, mac)
        {
            return true
        }
        guard await ClientSecretHash.verifyOffloaded(secret: secret, against: record.secretHash) else { return false }
        verifiedSecrets.withLock { cache in
            if cache.count >= Self.maxVerifiedSecrets { cache.removeAll(keepingCapacity: true) }
            cache[record.clientId] = (record.secretHash, mac)
        }
        return true
    }
}
