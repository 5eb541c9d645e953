/// What a reservation came to.
public enum ReserveOutcome: Sendable, Equatable {
    case reserved(reserveFundsTxnRef: String)
    /// A decline 2010–2090: nothing was reserved.
    case declined(code: String, message: String)
    /// No answer within the timeout, a transport error, or an answer that does not match the request: the
    /// purchase fails with 2060 and a failure result is still delivered so that the bank releases any hold.
    case noAnswer(reason: String)
}

extension ReserveOutcome {
    /// What the reservation came to, as a metric label (never a code: the set of labels stays small).
    public var metricLabel: String {
        switch self {
        case .reserved: "reserved"
        case .declined: "declined"
        case .noAnswer: "no_answer"
        }
    }
}
