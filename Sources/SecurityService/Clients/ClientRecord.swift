public import Foundation
public import ServiceHTTP

/// What authentication and authorisation need to know about a client (a row of `catalogue.clients`).
public struct ClientRecord: Sendable, Equatable {
    public typealias Role = ClientRole

    public let clientId: Int64
    public let role: Role
    public let isActive: Bool
    public let secretHash: String
    /// Tokens issued before this instant are revoked.
    public let secretRotatedAt: Date
    public let apiKeyHash: String
    public let signatureRequired: Bool
    public let signatureSecretSealed: String?
    public let vendorId: Int64?
    public let rateLimitPerSecond: Int

    /// The secret's rotation time in milliseconds, carried by tokens as `sv`: a token whose value differs was
    /// issued before the current secret and is revoked.
    public var secretVersion: Int64 {
        Int64((secretRotatedAt.timeIntervalSince1970 * 1_000).rounded())
    }
}
