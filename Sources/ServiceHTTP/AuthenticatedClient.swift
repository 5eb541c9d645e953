/// The roles of API.md §1.3.
public enum ClientRole: String, Sendable, CaseIterable {
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

/// Who made a request, once its token and API key have been checked (set by the authentication middleware).
public struct AuthenticatedClient: Sendable, Equatable {
    public let clientId: Int64
    public let role: ClientRole
    public let vendorId: Int64?
    public let signatureRequired: Bool
    public let signatureSecretSealed: String?
    public let rateLimitPerSecond: Int

    public init(
        clientId: Int64, role: ClientRole, vendorId: Int64?, signatureRequired: Bool, signatureSecretSealed: String?,
        rateLimitPerSecond: Int
    ) {
        self.clientId = clientId
        self.role = role
        self.vendorId = vendorId
        self.signatureRequired = signatureRequired
        self.signatureSecretSealed = signatureSecretSealed
        self.rateLimitPerSecond = rateLimitPerSecond
    }
}
