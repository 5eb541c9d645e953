public import HTTPTypes

extension HTTPField.Name {
    /// Echoed or generated on every response (API.md §0).
    public static let requestID = Self("X-Request-Id")!
    /// The client's API key (API.md §1.3).
    public static let apiKey = Self("X-API-Key")!
    /// HMAC-SHA256 of the raw body (API.md §1.4).
    public static let signature = Self("Signature")!
}
