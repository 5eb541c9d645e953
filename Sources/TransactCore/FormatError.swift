/// A request that does not have the form API.md gives it: HTTP 400, `responseCode` `4000`,
/// `responseMessage` `"<field> :<constraint>"`. Nothing is stored for it.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let constraint: String

    public init(_ field: String, _ constraint: String) {
        self.field = field
        self.constraint = constraint
    }

    public var message: String { "\(field) :\(constraint)" }
    public var description: String { message }
}
