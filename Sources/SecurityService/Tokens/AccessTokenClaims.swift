/// The claims of an access token (a JWT signed with EdDSA).
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public let iss: String
    /// The client id, as a string (JWT convention).
    public let sub: String
    public let iat: Int64
    public let nbf: Int64
    public let exp: Int64
    public let jti: String
    public let role: String
    public let scope: String
    /// The vendor a vendor user acts for.
    public let vendorId: Int64?
    /// The client's secret rotation time (milliseconds since 1970) when the token was issued: a token whose value
    /// differs from the client's current one was issued before a rotation and is revoked.
    public let secretVersion: Int64

    public init(
        iss: String, sub: String, iat: Int64, nbf: Int64, exp: Int64, jti: String, role: String, scope: String,
        vendorId: Int64?, secretVersion: Int64
    ) {
        self.iss = iss
        self.sub = sub
        self.iat = iat
        self.nbf = nbf
        self.exp = exp
        self.jti = jti
        self.role = role
        self.scope = scope
        self.vendorId = vendorId
        self.secretVersion = secretVersion
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, iat, nbf, exp, jti, role, scope
        case vendorId = "vendor_id"
        case secretVersion = "sv"
    }
}
