import TransactCore
import Foundation
import Synchronization

/// The simulated funding source of API.md §5.3: reserves every request, except that a `sourceIdentifier` ending
/// in a reserve code 2010–2090 is declined with it, and one ending in 2060 is never answered (the caller times
/// out). It keeps a record of every hold, debit and release it made, for tests and `transact verify`.
public final class SimulatedBank: Sendable {
    /// What the bank does with one reserveFunds request.
    public enum Decision: Sendable, Equatable {
        case answer(ReserveFundsAnswer)
        /// Say nothing: the caller's timeout decides.
        case silence
    }

    /// A hold and what became of it.
    public struct Hold: Sendable, Equatable {
        public enum State: String, Sendable { case held, debited, released }
        public let raasTxnRef: String
        public let reserveFundsTxnRef: String
        public let amount: Int64
        public var state: State
    }

    /// The declines a buyer's last four digits ask for (2060 is silence instead).
    static let declines: [String: CodedMessage] = Dictionary(uniqueKeysWithValues: [
        Answer.insufficientFunds, .invalidAuthCode, .accountNotMapped, .maximumAmountExceeded, .belowMinimumAmount,
        .blacklisted, .accountInactive, .unknownBankError,
    ].map { ($0.code, $0.coded) })

    private let holds = Mutex<[String: Hold]>([:])
    private let maxHolds: Int

    public init(maxHolds: Int = 1_000_000) {
        self.maxHolds = maxHolds
    }

    public func reserveFunds(_ request: ReserveFundsRequest) -> Decision {
        let code = String(request.sourceIdentifier.suffix(4))
        if code == Answer.internalTimeout.code { return .silence }
        if let decline = Self.declines[code] {
            return .answer(ReserveFundsAnswer(
                raasTxnRef: request.raasTxnRef, clientTxnRef: request.clientTxnRef, reserveFundsTxnRef: nil,
                responseCode: decline.code, responseMessage: decline.message))
        }
        let hold = holds.withLock { holds -> Hold in
            // A repeat of one reservation is the same hold (reserveFunds is sent once; a retry must not double it).
            if let existing = holds[request.raasTxnRef] { return existing }
            let hold = Hold(
                raasTxnRef: request.raasTxnRef, reserveFundsTxnRef: "SIM-" + UUID().uuidString.prefix(18).lowercased(),
                amount: request.reserveAmount, state: .held)
            if holds.count < maxHolds { holds[request.raasTxnRef] = hold }
            return hold
        }
        return .answer(ReserveFundsAnswer(
            raasTxnRef: request.raasTxnRef, clientTxnRef: request.clientTxnRef, reserveFundsTxnRef: hold.reserveFundsTxnRef,
            responseCode: Answer.bankReserved.code, responseMessage: Answer.bankReserved.message))
    }

    /// A result: debit the hold on success, release it on failure. Repeats change nothing (at-least-once delivery).
    public func transactResult(_ notice: TransactResultNotice) {
        holds.withLock { holds in
            guard var hold = holds[notice.raasTxnRef], hold.state == .held else { return }
            hold.state = notice.isSuccess ? .debited : .released
            holds[notice.raasTxnRef] = hold
        }
    }

    /// What the bank holds for a transaction (API.md §4.3), nil when it never reserved anything for it.
    public func hold(for raasTxnRef: String) -> Hold? {
        holds.withLock { $0[raasTxnRef] }
    }

    /// The answer to a status lookup (API.md §4.3): the hold and its state, or 2090 when there is none.
    public func statusAnswer(for raasTxnRef: String) -> ReserveFundsAnswer {
        guard let hold = hold(for: raasTxnRef) else {
            return ReserveFundsAnswer(
                raasTxnRef: raasTxnRef, clientTxnRef: "", reserveFundsTxnRef: nil, responseCode: Answer.noReservation.code,
                responseMessage: Answer.noReservation.message)
        }
        let state = Answer.reservationState.filled(hold.state.rawValue)
        return ReserveFundsAnswer(
            raasTxnRef: raasTxnRef, clientTxnRef: "", reserveFundsTxnRef: hold.reserveFundsTxnRef, responseCode: state.code,
            responseMessage: state.message, reserveAmount: hold.amount)
    }

    public var allHolds: [Hold] {
        holds.withLock { Array($0.values) }
    }
}
