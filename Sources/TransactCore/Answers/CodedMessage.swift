/// A `responseCode` with its `responseMessage`, as an answer carries them: one of the service's own (`Answer`), or
/// what a bank or a vendor said (its decline, in its words).
public struct CodedMessage: Sendable, Hashable, Codable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var isSuccess: Bool { code == Answer.success.code }

    /// As the envelope of the purchase and lookup APIs carries them (API.md §0).
    enum CodingKeys: String, CodingKey {
        case code = "responseCode"
        case message = "responseMessage"
    }
}
