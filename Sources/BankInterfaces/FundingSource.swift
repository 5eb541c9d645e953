/// A bank interface (API.md §4): pluggable, chosen per funding source by its `adapter`.
public protocol FundingSource: Sendable {
    /// Asks the bank to reserve the buyer's funds. Sent once per transaction, never with a new reference.
    func reserveFunds(_ request: ReserveFundsRequest) async -> ReserveOutcome
    /// Delivers the outcome; true when the bank acknowledged it (any 2xx).
    func deliverResult(_ notice: TransactResultNotice) async -> Bool
    /// What the bank holds for a transaction whose reservation answer never came; nil when it cannot say.
    func statusLookup(raasTxnRef: String) async -> ReserveFundsAnswer?
}

/// What a reservation came to.
public enum ReserveOutcome: Sendable, Equatable {
    case reserved(reserveFundsTxnRef: String)
    /// A decline 2010–2090: nothing was reserved.
    case declined(code: String, message: String)
    /// No answer within the timeout, a transport error, or an answer that does not match the request: the
    /// purchase fails with 2060 and a failure result is still delivered so that the bank releases any hold.
    case noAnswer(reason: String)

    init(answer: ReserveFundsAnswer, to request: ReserveFundsRequest) {
        guard answer.answers(request) else {
            self = .noAnswer(reason: "the answer does not match the request")
            return
        }
        if answer.responseCode == "0000", let reference = answer.reserveFundsTxnRef {
            self = .reserved(reserveFundsTxnRef: reference)
        } else if answer.responseCode == "2060" {
            self = .noAnswer(reason: "the bank reported an internal timeout")
        } else if let code = Int(answer.responseCode), (2010...2090).contains(code) {
            self = .declined(code: answer.responseCode, message: String(answer.responseMessage.prefix(200)))
        } else {
            self = .noAnswer(reason: "the bank answered with code \(answer.responseCode.prefix(8))")
        }
    }
}

/// The `simulated` adapter: the behaviour of `SimulatedBank`, in process. A request the simulator leaves
/// unanswered (2060) is reported as no answer at once, rather than after the funding source's timeout.
public struct SimulatedFundingSource: FundingSource {
    public let bank: SimulatedBank

    public init(bank: SimulatedBank = SimulatedBank()) {
        self.bank = bank
    }

    public func reserveFunds(_ request: ReserveFundsRequest) async -> ReserveOutcome {
        switch bank.reserveFunds(request) {
        case .answer(let answer): ReserveOutcome(answer: answer, to: request)
        case .silence: .noAnswer(reason: "no answer (simulated timeout)")
        }
    }

    public func deliverResult(_ notice: TransactResultNotice) async -> Bool {
        bank.transactResult(notice)
        return true
    }

    public func statusLookup(raasTxnRef: String) async -> ReserveFundsAnswer? {
        bank.hold(for: raasTxnRef) == nil ? nil : bank.statusAnswer(for: raasTxnRef)
    }
}
