import Foundation
import Synchronization
public import ServiceHTTP
import TransactCrypto

/// Checks the bearer token and the API key of a request (API.md §1.3). Verified tokens are cached until they
/// expire, so a token used again costs no signature verification; the client's record (cached briefly by
/// `ClientDirectory`) is checked on every request, so a rotated secret or a disabled client takes effect.
public final class TokenVerifier: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        /// 401 `invalid_token`, with a description.
        case invalidToken(String)
        /// 401 `invalid_api_key`.
        case invalidAPIKey(String)
    }

    private let directory: ClientDirectory
    private let keys: SigningKeyStore
    private let issuer: String
    private let clockSkewSeconds: Int64
    private let maxCachedTokens: Int
    /// Verified claims by token.
    private let verified = Mutex<[Substring: AccessTokenClaims]>([:])
    /// The API key each client last presented successfully, and the stored hash it matched.
    private let matchedAPIKeys = Mutex<[Int64: (key: String, hash: String)]>([:])

    public init(directory: ClientDirectory, keys: SigningKeyStore, issuer: String, clockSkewSeconds: Int64 = 10,
                maxCachedTokens: Int = 100_000) {
        self.directory = directory
        self.keys = keys
        self.issuer = issuer
        self.clockSkewSeconds = clockSkewSeconds
        self.maxCachedTokens = maxCachedTokens
    }

    public func authenticate(authorization: String?, apiKey: String?) async throws -> AuthenticatedClient {
        guard let authorization, let token = Self.bearerToken(authorization) else {
            throw Failure.invalidToken("missing bearer token")
        }
        let now = Int64(Date().timeIntervalSince1970)
        let claims = try await verifiedClaims(token, now: now)
        guard let clientId = Int64(claims.sub), let record = try await directory.record(for: clientId) else {
            throw Failure.invalidToken("unknown client")
        }
        guard record.isActive else { throw Failure.invalidToken("client disabled") }
        guard claims.role == record.role.rawValue, claims.secretVersion == record.secretVersion else { throw Failure.invalidToken("token revoked") }
        guard let apiKey, !apiKey.isEmpty, apiKey.utf8.count <= APIKey.maxLength else {
            throw Failure.invalidAPIKey("missing X-API-Key")
        }
        guard isAPIKey(apiKey, of: record) else { throw Failure.invalidAPIKey("X-API-Key does not belong to this client") }
        return AuthenticatedClient(
            clientId: record.clientId, role: record.role, vendorId: record.vendorId,
            signatureRequired: record.signatureRequired, signatureSecretSealed: record.signatureSecretSealed,
            rateLimitPerSecond: record.rateLimitPerSecond)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive), without copying the header more than once.
    static func bearerToken(_ header: String) -> Substring? {
        guard header.utf8.count > 7, header.utf8.count <= JSONWebSignature.maxTokenLength + 16 else { return nil }
        let scheme = header.utf8.prefix(7)
        guard zip(scheme, "bearer ".utf8).allSatisfy({ ($0 | 0x20) == $1 }) else { return nil }
        let token = header.dropFirst(7).drop { $0 == " " }
        return token.isEmpty ? nil : token
    }

    /// Whether `apiKey` hashes to the client's stored hash. The last key that matched is remembered per client
    /// (with the hash it matched), so a client's next request costs a constant-time comparison, not a SHA-256.
    private func isAPIKey(_ apiKey: String, of record: ClientRecord) -> Bool {
        if let known = matchedAPIKeys.withLock({ $0[record.clientId] }), known.hash == record.apiKeyHash,
            ConstantTime.equals(known.key, apiKey)
        {
            return true
        }
        guard ConstantTime.equals(APIKey.hash(apiKey), record.apiKeyHash) else { return false }
        matchedAPIKeys.withLock { keys in
            if keys.count >= maxCachedTokens { keys.removeAll(keepingCapacity: true) }
            keys[record.clientId] = (apiKey, record.apiKeyHash)
        }
        return true
    }

    private func verifiedClaims(_ token: Substring, now: Int64) async throws -> AccessTokenClaims {
        if let cached = verified.withLock({ $0[token] }) {
            guard now < cached.exp + clockSkewSeconds else { throw Failure.invalidToken("token expired") }
            return cached
        }
        let payload: [UInt8]
        do {
            // The key lookup is async (it may reload keys); resolve the kid first, then verify synchronously.
            let kid = try JSONWebSignature.keyID(of: String(token))
            let key = try await keys.verifyingKey(kid: kid)
            payload = try JSONWebSignature.verify(String(token)) { $0 == kid ? key : nil }.payload
        } catch let error as JSONWebSignature.VerificationError {
            throw Failure.invalidToken(error.description)
        }
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payload)) else {
            throw Failure.invalidToken("token claims are malformed")
        }
        guard claims.iss == issuer else { throw Failure.invalidToken("token issuer is not this service") }
        guard now < claims.exp + clockSkewSeconds else { throw Failure.invalidToken("token expired") }
        guard claims.nbf <= now + clockSkewSeconds else { throw Failure.invalidToken("token not yet valid") }
        verified.withLock { cache in
            if cache.count >= maxCachedTokens {
                cache = cache.filter { now < $0.value.exp + clockSkewSeconds }
                if cache.count >= maxCachedTokens { cache.removeAll() }
            }
            cache[token] = claims
        }
        return claims
    }
}
