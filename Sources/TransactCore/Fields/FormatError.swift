/// A request that does not have the form API.md gives it: HTTP 400, `responseCode` `4000`,
/// `responseMessage` `"<field> :<constraint>"`, or one of Clickatell's own sentences (API.md §0.2). Nothing is stored
/// for it. Every wording is made here, once: a bank's integration matches on these texts.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field refused (for logs and tests, even when the message does not name it).
    public let field: String
    public let constraint: String
    /// The whole message, where the contract words it itself (for example "Currency Code is mandatory").
    private let wording: String?

    public init(_ field: String, _ constraint: String) {
        self.field = field
        self.constraint = constraint
        self.wording = nil
    }

    /// A refusal of `field` in the contract's own words, without the field's name in front.
    public init(field: String, message: String) {
        self.field = field
        self.constraint = message
        self.wording = message
    }

    public var message: String { wording ?? "\(field) :\(constraint)" }
    public var description: String { message }

    // MARK: Clickatell's wording (API.md §0.2)

    /// A field that is missing, null, or an empty string where a number or a timestamp belongs.
    public static func missing(_ field: String) -> FormatError { FormatError(field, "may not be null") }

    /// A string of the wrong length, or an empty one.
    public static func size(_ field: String, _ length: ClosedRange<Int>) -> FormatError {
        FormatError(field, "size must be between \(length.lowerBound) and \(length.upperBound)")
    }

    /// Characters other than ASCII letters and digits. (Clickatell's message has a space on both sides of the colon.)
    public static func notAlphanumeric(_ field: String) -> FormatError { FormatError(field, " must be an alphanumeric") }

    /// A number above its maximum.
    public static func above(_ field: String, maximum: Int64) -> FormatError {
        FormatError(field, "must be less than or equal to \(maximum)")
    }

    /// A number below its minimum.
    public static func below(_ field: String, minimum: Int64) -> FormatError {
        minimum == 1 ? FormatError(field, "must be greater than 0") : FormatError(field, "must be greater than or equal to \(minimum)")
    }

    /// A value that cannot be read as its type (a number with other characters, a timestamp that is not one, a body
    /// that is not a JSON object): Clickatell names no field for these.
    public static func unreadable(_ field: String) -> FormatError {
        FormatError(field: field, message: "Transaction request not valid")
    }

    /// A mobile number that is not an MSISDN (`FieldRules.isMSISDN`).
    public static func notMSISDN(_ field: String) -> FormatError {
        FormatError(field, "must be an MSISDN in international form (8 to 15 digits)")
    }

    /// A string holding a NUL character, which no field allows.
    public static func nul(_ field: String) -> FormatError { FormatError(field, "must not contain NUL") }
}
