import Foundation
public import Postgres
import Synchronization
public import TransactCrypto

/// The service's token signing keys. The newest active key signs; keys retired less than a token lifetime ago
/// still verify (and are published in the JWKS), so rotation needs no downtime and no token is cut short.
/// Private keys are stored sealed under the master key; every process reads the same keys from the database.
public final class SigningKeyStore: Sendable {
    public struct PublishedKey: Sendable, Equatable {
        public let kid: String
        public let publicKey: [UInt8]
    }

    private struct Snapshot {
        var signingKID: String
        var signingKey: Ed25519PrivateKey
        var verifyingKeys: [String: Ed25519PublicKey]
        var loadedAt: ContinuousClock.Instant
    }

    private let database: PostgresClient
    private let sealer: SecretSealer
    /// How long a retired key keeps verifying: the token lifetime plus clock skew.
    private let retiredKeyGrace: Duration
    /// How often an unknown kid may trigger a reload (another process may have rotated).
    private let reloadInterval: Duration
    /// How long the signing key is used before the store looks for a newer one.
    private let refreshInterval: Duration
    private let snapshot = Mutex<Snapshot?>(nil)

    public init(
        database: PostgresClient, sealer: SecretSealer, retiredKeyGrace: Duration, reloadInterval: Duration = .seconds(1),
        refreshInterval: Duration = .seconds(30)
    ) {
        self.database = database
        self.sealer = sealer
        self.retiredKeyGrace = retiredKeyGrace
        self.reloadInterval = reloadInterval
        self.refreshInterval = refreshInterval
    }

    /// The key that signs new tokens (creating the first key on first use). Re-read every `refreshInterval`, so
    /// that a rotation made by another process (`transact keys rotate`) is followed well within a token's lifetime.
    public func signingKey() async throws -> (kid: String, key: Ed25519PrivateKey) {
        if let current = snapshot.withLock({ $0 }), ContinuousClock.now - current.loadedAt < refreshInterval {
            return (current.signingKID, current.signingKey)
        }
        let loaded = try await reload()
        return (loaded.signingKID, loaded.signingKey)
    }

    /// The public key named `kid`, if it may still verify. An unknown kid reloads the keys, at most once per
    /// `reloadInterval`, so keys rotated by another process are picked up.
    public func verifyingKey(kid: String) async throws -> Ed25519PublicKey? {
        let current = snapshot.withLock { $0 }
        if let key = current?.verifyingKeys[kid] { return key }
        if let current, ContinuousClock.now - current.loadedAt < reloadInterval { return nil }
        return try await reload().verifyingKeys[kid]
    }

    /// The keys that verify tokens now, for `/.well-known/jwks.json`.
    public func publishedKeys() async throws -> [PublishedKey] {
        let current: Snapshot
        if let loaded = snapshot.withLock({ $0 }), ContinuousClock.now - loaded.loadedAt < reloadInterval {
            current = loaded
        } else {
            current = try await reload()
        }
        return current.verifyingKeys.map { PublishedKey(kid: $0.key, publicKey: $0.value.rawRepresentation) }
            .sorted { $0.kid < $1.kid }
    }

    /// Retires the active key and makes a new one; returns the new kid. `audit` runs in the same transaction, given
    /// the new kid, so that the rotation and its record in the audit log commit together or not at all.
    @discardableResult
    public func rotate(audit: (PostgresSession, _ kid: String) async throws -> Void = { _, _ in }) async throws -> String {
        let (kid, sealed, publicKey) = try makeKey()
        try await database.withTransaction { session in
            try await session.query("UPDATE catalogue.signing_keys SET retired_at = now() WHERE retired_at IS NULL")
            try await session.query("""
                INSERT INTO catalogue.signing_keys (kid, algorithm, public_key, private_key_sealed)
                VALUES (\(kid), 'EdDSA', \(publicKey), \(sealed))
                """)
            try await audit(session, kid)
        }
        _ = try await reload()
        return kid
    }

    private func makeKey() throws -> (kid: String, sealed: String, publicKey: String) {
        let key = try Ed25519PrivateKey()
        let kid = Base64URL.encode(SecureRandom.bytes(count: 9))
        let sealed = try sealer.seal(key.rawRepresentation, purpose: "signing-key:\(kid)")
        return (kid, sealed, Base64URL.encode(key.publicKey.rawRepresentation))
    }

    @discardableResult
    private func reload() async throws -> Snapshot {
        var rows = try await activeAndRecentKeys()
        if !rows.contains(where: { $0.retiredAt == nil }) {
            // First start: create the first key. Concurrent processes race on the one-active-key index; one wins.
            let (kid, sealed, publicKey) = try makeKey()
            try await database.query("""
                INSERT INTO catalogue.signing_keys (kid, algorithm, public_key, private_key_sealed)
                VALUES (\(kid), 'EdDSA', \(publicKey), \(sealed))
                ON CONFLICT ((true)) WHERE retired_at IS NULL DO NOTHING
                """)
            rows = try await activeAndRecentKeys()
        }
        guard let active = rows.first(where: { $0.retiredAt == nil }) else {
            throw CryptoError.invalidKey("no active signing key")
        }
        let seed = try sealer.open(active.privateKeySealed, purpose: "signing-key:\(active.kid)")
        var verifying: [String: Ed25519PublicKey] = [:]
        for row in rows {
            guard let bytes = Base64URL.decode(row.publicKey) else { continue }
            verifying[row.kid] = try Ed25519PublicKey(rawRepresentation: bytes)
        }
        let fresh = Snapshot(
            signingKID: active.kid, signingKey: try Ed25519PrivateKey(rawRepresentation: seed), verifyingKeys: verifying,
            loadedAt: .now)
        snapshot.withLock { $0 = fresh }
        return fresh
    }

    private struct KeyRow {
        let kid: String
        let publicKey: String
        let privateKeySealed: String
        let retiredAt: Date?
    }

    private func activeAndRecentKeys() async throws -> [KeyRow] {
        let graceSeconds = Double(retiredKeyGrace.components.seconds)
        return try await database.query("""
            SELECT kid, public_key, private_key_sealed, retired_at FROM catalogue.signing_keys
            WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => \(graceSeconds))
            ORDER BY created_at DESC
            """).map { row in
            KeyRow(
                kid: try row.decode(String.self, "kid"), publicKey: try row.decode(String.self, "public_key"),
                privateKeySealed: try row.decode(String.self, "private_key_sealed"),
                retiredAt: try row.decode(Date?.self, "retired_at"))
        }
    }
}
