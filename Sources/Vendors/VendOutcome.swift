public import TransactCore

/// What a vend (or a status query) came to (API.md §3.4, §5.1).
public enum VendOutcome: Sendable, Equatable {
    case success(token: String?)
    /// A definite refusal: the transaction fails with this code.
    case declined(code: String, message: String)
    /// The attempt did not dispense (the vendor said so, or nothing reached it): worth trying again with the next
    /// reference.
    case retryable(code: String, message: String)
    /// A retryable failure after the request may have reached the vendor (a timeout, HTTP 5xx): ask about this
    /// attempt before making another, never repeat it blindly.
    case uncertain(code: String, message: String)
    /// The vendor may or may not have dispensed: settle by status query or confirmation, never by vending again.
    case unknown
}

extension VendOutcome {
    /// Outcomes the service names itself (`Answer`), or fills in (`Answer.filled`).
    public static func declined(_ answer: CodedMessage) -> VendOutcome { .declined(code: answer.code, message: answer.message) }
    public static func retryable(_ answer: CodedMessage) -> VendOutcome { .retryable(code: answer.code, message: answer.message) }
    public static func uncertain(_ answer: CodedMessage) -> VendOutcome { .uncertain(code: answer.code, message: answer.message) }
}
