import Foundation

/// A calendar day as support writes it: `YYYY-MM-DD`, a day that exists, in UTC.
public struct ReportDate: Sendable, Equatable, CustomStringConvertible {
    public let text: String

    public init?(_ text: String) {
        guard text.utf8.count == 10 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text), formatter.string(from: date) == text else { return nil }
        self.text = text
    }

    public var description: String { text }
}
