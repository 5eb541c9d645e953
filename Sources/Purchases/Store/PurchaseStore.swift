public import TransactCore
import Foundation
public import BankInterfaces
public import Postgres
public import Runtime
import TransactCrypto

/// The purchases of API.md §3 in PostgreSQL (Migrations/0003_purchases.sql, Migrations/repeatable/03_purchases.sql).
/// Each step of a purchase is one SQL function call: one round trip that checks, writes the transaction, its ledger
/// effects and its next job.
public struct PurchaseStore: Sendable {
    let database: any PostgresQueryable
    let steps: PurchaseSteps

    /// `steps`: shared by a process so that its purchases' writes are batched; by default one step per statement.
    public init(database: any PostgresQueryable, steps: PurchaseSteps? = nil) {
        self.database = database
        self.steps = steps ?? PurchaseSteps(database: database, batched: false)
    }

    /// What opening a purchase came to (API.md §3.3): settled for now, or the bank to be asked.
    public enum Opening: Sendable, Equatable {
        case settled(Settled)
        /// This request created a Reserve and Transact purchase, accepted: the bank is to be asked for this.
        case reserve(RaasTxnRef, ReserveFundsRequest)
    }

    /// An opening the client can be answered for at once.
    public enum Settled: Sendable, Equatable {
        /// This request created the purchase and it is answered: refused by the business checks, or a Transact
        /// accepted.
        case answered(RaasTxnRef, CodedMessage)
        /// A repeat of a request already answered: answer the same.
        case replay(RaasTxnRef, CodedMessage)
        /// A repeat of a request still being processed: 409 `2604` "Transaction with this clientTxnRef is in progress".
        case inProgress(RaasTxnRef)
        /// Another request under the same reference: 409 `2604` "Duplicate clientTxnRef".
        case duplicate
    }

    /// The SHA-256 of the request's canonical form.
    public static func fingerprint(of request: PurchaseRequest) -> String {
        Hex.encode(SHA256.hash(request.canonicalForm))
    }

    /// Claims `(clientId, clientTxnRef)` and stores the purchase as decided: a rejection as FAILED with its code;
    /// an acceptance with its breakdown, its pending ledger transfer (2221 when the vendor's float cannot cover it)
    /// and its next job — the reservation's deadline (Reserve and Transact), or the vend (Transact).
    public func open(
        _ request: PurchaseRequest, decision: PurchaseDecision, raasTxnRef: RaasTxnRef = RaasTxnRef(),
        reservationDeadlineSeconds: Int = 60
    ) async throws -> Opening {
        struct Opened: Decodable, AnsweredBySQL {
            let claimed: Bool
            let raasTxnRef: UUID
            let sameContent: Bool
            let responseCode: String?
            let responseMessage: String?
        }
        let rejection: CodedMessage? = if case .reject(let answer) = decision.verdict { answer } else { nil }
        let opened = try Self.snakeCase.decode(Opened.self, from: try await steps.apply(OpenStep(
            transaction: NewTransaction(request, decision, raasTxnRef), rejection: rejection,
            deadlineSeconds: reservationDeadlineSeconds)))
        let reference = RaasTxnRef(opened.raasTxnRef)
        switch (opened.claimed, opened.answer, decision.verdict) {
        case (true, let answer?, _):
            return .settled(.answered(reference, answer))
        case (true, nil, .accept(let breakdown)):
            return .reserve(reference, ReserveFundsRequest(request, decision.product, breakdown, reference))
        case (true, nil, .reject):
            // purchases.open_all answers every purchase it refuses.
            throw PostgresError.decoding("purchases.open_all left a refused purchase unanswered")
        case (false, _, _) where !opened.sameContent:
            return .settled(.duplicate)
        case (false, let answer?, _):
            return .settled(.replay(reference, answer))
        case (false, nil, _):
            return .settled(.inProgress(reference))
        }
    }

    /// Records the bank's answer to reserveFunds and returns the client's answer. An answer recorded after the
    /// purchase was settled without it (its deadline passed) changes nothing: the settled answer is returned. With a
    /// `vendHandoff` whose loop has a free slot, reserved funds also start the first vend attempt, leased for
    /// `leaseSeconds` to this process's workers, who make it at once (no claim, no wake-up).
    public func recordReservation(
        _ reference: RaasTxnRef, _ outcome: ReserveOutcome, latencyMs: Int,
        vendHandoff: JobHandoff<PurchaseJob>? = nil, leaseSeconds: Int = WorkerConfiguration().leaseSeconds
    ) async throws -> CodedMessage {
        let (kind, code, message, reserveFundsTxnRef, cause): (String, String?, String?, String?, String) =
            switch outcome {
            case .reserved(let reserveFundsTxnRef): ("reserved", Answer.success.code, nil, reserveFundsTxnRef, "reserved")
            case .declined(let code, let message): ("declined", code, message, nil, "\(code) \(message)")
            case .noAnswer(let reason): ("no_answer", nil, nil, nil, reason)
            }
        struct Recorded: Decodable, AnsweredBySQL {
            struct Vend: Decodable {
                let leaseToken: UUID
                let attempt: Int
                let transaction: PurchaseRecord
            }
            let responseCode: String?
            let responseMessage: String?
            let vend: Vend?
        }
        let write = { (slotHeld: Bool) async throws -> (answer: CodedMessage, job: PurchaseJob?) in
            let leaseHeldUntil = PurchaseJob.leaseHeldUntil(takingSeconds: leaseSeconds)
            let recorded = try Self.snakeCase.decode(Recorded.self, from: try await steps.apply(ReservationStep(
                raasTxnRef: reference.value, outcome: kind, code: code, message: message,
                reserveFundsTxnRef: reserveFundsTxnRef, cause: cause, latencyMs: latencyMs,
                leaseSeconds: slotHeld ? leaseSeconds : nil)))
            let job = recorded.vend.map { vend in
                PurchaseJob(
                    raasTxnRef: reference, kind: .vend, leaseToken: vend.leaseToken, leaseHeldUntil: leaseHeldUntil,
                    vendStep: .vend(attempt: vend.attempt), transaction: vend.transaction, delivery: nil)
            }
            return (recorded.answer ?? Answer.unexpectedError.coded, job)
        }
        guard let vendHandoff, case .reserved = outcome else { return try await write(false).answer }
        return try await vendHandoff.handing(write)
    }
}

/// What `purchases.open_all` and `purchases.record_reservation` say the client is answered: the code and message
/// on the purchase row, or none yet.
private protocol AnsweredBySQL {
    var responseCode: String? { get }
    var responseMessage: String? { get }
}

extension AnsweredBySQL {
    var answer: CodedMessage? { responseCode.map { CodedMessage(code: $0, message: responseMessage ?? "") } }
}

extension ReserveFundsRequest {
    /// What the bank is asked for an accepted purchase (API.md §4.1).
    init(_ request: PurchaseRequest, _ product: PurchaseContext.Product, _ breakdown: FinancialBreakdown, _ reference: RaasTxnRef) {
        self.init(
            clientTxnRef: request.clientTxnRef, raasTxnRef: reference.value, productId: request.productId,
            productType: product.productTypeName, purchaseAmount: breakdown.purchaseAmount,
            reserveAmount: breakdown.reserveAmount, feeAmount: breakdown.feeAmount, vendAmount: breakdown.vendAmount,
            currencyCode: product.currencyCode, clientId: request.clientId, sourceIdentifier: request.sourceIdentifier,
            targetIdentifier: request.targetIdentifier, accountIdentifier: request.accountIdentifier,
            authCode: request.authCode, channelId: request.channelId, channelName: request.channelName,
            channelSessionId: request.channelSessionId, timestamp: request.timestamp)
    }
}
