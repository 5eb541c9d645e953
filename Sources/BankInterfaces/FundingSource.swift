import Foundation
public import OutboundHTTP
import TransactCore

/// A bank interface (API.md §4): pluggable, chosen per funding source by its `adapter`. It also receives the
/// results of the purchases it reserved funds for.
public protocol FundingSource: ResultRecipient {
    /// Asks the bank to reserve the buyer's funds. Sent once per transaction, never with a new reference.
    func reserveFunds(_ request: ReserveFundsRequest) async -> ReserveOutcome
    /// What the bank holds for a transaction whose reservation answer never came; nil when it cannot say.
    func statusLookup(raasTxnRef: String) async -> ReserveFundsAnswer?
}

extension ReserveOutcome {
    /// What `answer` says about `request`; an answer that does not match the request counts as no answer.
    public init(answer: ReserveFundsAnswer, to request: ReserveFundsRequest) {
        guard answer.answers(request) else {
            self = .noAnswer(reason: "the answer does not match the request")
            return
        }
        if answer.responseCode == Answer.success.code, let reference = answer.reserveFundsTxnRef {
            self = .reserved(reserveFundsTxnRef: reference)
        } else if answer.responseCode == Answer.internalTimeout.code {
            self = .noAnswer(reason: "the bank reported an internal timeout")
        } else if ResponseCode(answer.responseCode)?.isReservationDecline == true {
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

    public func deliverResult(body: [UInt8]) async -> Delivery {
        guard let notice = try? JSONDecoder().decode(TransactResultNotice.self, from: Data(body)) else {
            return Delivery(acknowledged: false, detail: "the simulated bank could not read the result")
        }
        bank.transactResult(notice)
        return Delivery(acknowledged: true, detail: "acknowledged by the simulated bank")
    }

    /// The simulated bank always answers: its hold, or 2090 "No reservation".
    public func statusLookup(raasTxnRef: String) async -> ReserveFundsAnswer? {
        bank.statusAnswer(for: raasTxnRef)
    }
}
