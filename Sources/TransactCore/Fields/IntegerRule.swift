/// The range an integer field must fall in, and the name its range errors give. Clickatell reports every amount
/// field, whatever its name in the version used, as `amount` (API.md §0.2).
public struct IntegerRule: Sendable, Equatable {
    public let range: ClosedRange<Int64>
    /// The field name range errors carry; nil: the field's own.
    public let reportedName: String?

    public init(_ range: ClosedRange<Int64>, reportedAs reportedName: String? = nil) {
        self.range = range
        self.reportedName = reportedName
    }

    /// A non-negative integer of at most `count` digits (API.md's "≤ n digits").
    public static func digits(_ count: Int) -> IntegerRule {
        precondition((1...18).contains(count), "at most 18 digits fit an Int64")
        var largest: Int64 = 9
        for _ in 1..<count { largest = largest * 10 + 9 }
        return IntegerRule(0...largest)
    }

    /// An amount in minor units: at most 12 digits.
    public static let amount = IntegerRule(0...MinorAmount.maximumAPIValue, reportedAs: "amount")
    /// An amount that must be more than nothing (a purchase's).
    public static let positiveAmount = IntegerRule(1...MinorAmount.maximumAPIValue, reportedAs: "amount")
    /// `channelId`: 1 POS … 99.
    public static let channelId = IntegerRule(1...99)

    /// `value` when the rule holds; a range error naming `field` (or the reported name) otherwise.
    public func check(_ value: Int64, field: String) throws(FormatError) -> Int64 {
        if value > range.upperBound { throw FormatError.above(reportedName ?? field, maximum: range.upperBound) }
        if value < range.lowerBound { throw FormatError.below(reportedName ?? field, minimum: range.lowerBound) }
        return value
    }

    /// The error for an integer too large for 64 bits, which is above every rule's maximum.
    func tooLarge(field: String) -> FormatError { FormatError.above(reportedName ?? field, maximum: range.upperBound) }
}
