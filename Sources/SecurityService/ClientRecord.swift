public import Foundation

/// What authentication and authorisation need to know about a client (a row of `catalogue.clients`).
public struct ClientRecord: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case client, vendor, support, admin

        /// The scopes a token of this role carries.
        public var scope: String {
            switch self {
            case .client: "transact lookup"
            case .vendor: "vendor"
            case .support: "support"
            case .admin: "admin"
            }
        }
    }

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
}
