/// A request that does not have the form API.md gives it: HTTP 400, `responseCode` `4000`,
/// `responseMessage` `"<field> :<constraint>"`. Nothing is stored for it.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let constraint: String
    /// The whole message, where API.md words it itself (for example "invalid value for field clientNotificationRef").
    private let wording: String?

    public init(_ field: String, _ constraint: String) {
        self.field = field
        self.constraint = constraint
        self.wording = nil
    }

    /// A refusal of `field` in API.md's own words.
    public init(field: String, message: String) {
        self.field = field
        self.constraint = message
        self.wording = message
    }

    public var message: String { wording ?? "\(field) :\(constraint)" }
    public var description: String { message }
}
