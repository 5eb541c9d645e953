public import TransactCore
import Foundation
import Postgres
public import Vendors

/// What recording a vend's outcome came to.
public enum VendRecording: Sendable {
    /// The lease was lost (the job was settled or taken over meanwhile): nothing was recorded.
    case leaseLost
    /// Recorded; when the purchase became final, its result's delivery, leased to the caller.
    case recorded(delivery: PurchaseJob?)
}

/// What a vendor's confirmation (API.md §5.2) came to.
public enum VendConfirmation: String, Sendable {
    /// No transaction of this vendor with this attempt.
    case notFound = "not_found"
    /// It settled the transaction.
    case applied
    /// Already final the same way (or still unknown): nothing changed.
    case agreed
    /// Final the other way: recorded for support.
    case conflict
}

extension PurchaseStore {
    /// Claims up to `limit` due jobs of `kinds`, each under a lease of `leaseSeconds`.
    public func claimJobs(_ kinds: [PurchaseJob.Kind], limit: Int, leaseSeconds: Int) async throws -> [PurchaseJob] {
        let leaseHeldUntil = PurchaseJob.leaseHeldUntil(takingSeconds: leaseSeconds)
        let rows = try await database.query("""
            SELECT * FROM purchases.claim_jobs(\(kinds.map(\.rawValue)), \(Int32(clamping: limit)), \(Int32(clamping: leaseSeconds)))
            """)
        return try rows.map { row in
            guard let kind = PurchaseJob.Kind(rawValue: try row.decode(String.self, "kind")) else {
                throw PostgresError.decoding("unknown job kind")
            }
            let attempt = try row.decode(Int?.self, "attempt")
            let vendStep: PurchaseJob.VendStep? = switch (try row.decode(String?.self, "mode"), attempt) {
            case ("vend", let attempt?): .vend(attempt: attempt)
            case ("status", let attempt?): .status(attempt: attempt)
            default: nil
            }
            var delivery: (recipient: ResultRecipientKind, body: [UInt8])?
            if let recipient = try row.decode(String?.self, "recipient").flatMap(ResultRecipientKind.init),
                let body = try row.decode(String?.self, "body")
            {
                delivery = (recipient, Array(body.utf8))
            }
            return PurchaseJob(
                raasTxnRef: RaasTxnRef(try row.decode(UUID.self, "raas_txn_ref")), kind: kind,
                leaseToken: try row.decode(UUID.self, "lease_token"), leaseHeldUntil: leaseHeldUntil, vendStep: vendStep,
                transaction: try Self.snakeCase.decode(PurchaseRecord.self, from: Data(try row.decode(String.self, "transaction").utf8)),
                delivery: delivery)
        }
    }

    /// Records what a vend attempt or status query came to (nil: the vendor could not say). When it makes the
    /// purchase final, its result's delivery is leased to the caller for `leaseSeconds` and returned, to be made at
    /// once (0: left to a claim).
    public func recordVend(
        _ job: PurchaseJob, outcome: VendOutcome?, latencyMs: Int, policy: VendPolicy, leaseSeconds: Int
    ) async throws -> VendRecording {
        guard let step = job.vendStep else { preconditionFailure("recordVend needs a vend job") }
        let (kind, code, message, token): (String, String?, String?, String?) = switch outcome {
        case .success(let token): ("success", Answer.success.code, Answer.success.message, token)
        case .declined(let code, let message): ("declined", code, message, nil)
        case .retryable(let code, let message): ("retryable", code, message, nil)
        case .uncertain(let code, let message): ("uncertain", code, message, nil)
        case .unknown, nil: ("unknown", Answer.vendOutcomeUnknown.code, Answer.vendOutcomeUnknown.message, nil)
        }
        let mode = if case .status = step { "status" } else { "vend" }
        let deliveryLeaseHeldUntil = PurchaseJob.leaseHeldUntil(takingSeconds: leaseSeconds)
        let result = try await steps.apply(VendStep(
            raasTxnRef: job.raasTxnRef.value, leaseToken: job.leaseToken, mode: mode, attempt: step.attempt, outcome: kind,
            code: code, message: message, token: token, latencyMs: latencyMs, retryDelayMs: policy.retryDelayMs,
            maxRetryDelayMs: policy.maxRetryDelayMs, maxPolls: policy.maxStatusPolls, pollDelayMs: policy.statusPollDelayMs,
            leaseSeconds: leaseSeconds))
        let recorded = try Self.snakeCase.decode(RecordedVend.self, from: result)
        guard recorded.recorded else { return .leaseLost }
        return .recorded(delivery: recorded.delivery.map { delivery in
            PurchaseJob(
                raasTxnRef: job.raasTxnRef, kind: .deliverResult, leaseToken: delivery.leaseToken,
                leaseHeldUntil: deliveryLeaseHeldUntil, vendStep: nil, transaction: job.transaction,
                delivery: (delivery.recipient, Array(delivery.body.utf8)))
        })
    }

    /// Reads the JSON that SQL builds, whose keys are column names.
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// purchases.record_vends' answer.
    private struct RecordedVend: Decodable {
        struct Delivery: Decodable {
            let leaseToken: UUID
            let recipient: ResultRecipientKind
            let body: String
        }
        let recorded: Bool
        let delivery: Delivery?
    }

    private func recorded(_ result: Data) throws -> Bool {
        try JSONDecoder().decode(Bool.self, from: result)
    }

    /// Records a result delivery attempt; the funding source's retry policy decides what comes next.
    @discardableResult
    public func recordDelivery(_ job: PurchaseJob, acknowledged: Bool, detail: String, latencyMs: Int) async throws -> Bool {
        try await recorded(steps.apply(DeliveryStep(
            raasTxnRef: job.raasTxnRef.value, leaseToken: job.leaseToken, acknowledged: acknowledged, outcome: detail,
            latencyMs: latencyMs)))
    }

    /// Records what the bank's status lookup said about an unanswered reservation (nil: no answer).
    @discardableResult
    public func recordReservationLookup(
        _ job: PurchaseJob, answer: (code: String, message: String, reserveFundsTxnRef: String?)?, latencyMs: Int,
        retryDelayMs: Int, maxClaims: Int
    ) async throws -> Bool {
        try await database.query("""
            SELECT purchases.record_reservation_lookup(\(job.raasTxnRef.uuid), \(job.leaseToken), \(answer != nil),
                \(answer?.code), \(answer?.message), \(answer?.reserveFundsTxnRef), \(Int32(clamping: latencyMs)),
                \(Int32(clamping: retryDelayMs)), \(Int32(clamping: maxClaims))) AS recorded
            """).single().decode(Bool.self, "recorded")
    }

    /// A vendor's asynchronous confirmation of a vend attempt (API.md §5.2).
    public func confirmVend(
        vendorId: Int64, raasTxnRef: RaasTxnRef, vendReference: String, code: String, message: String, token: String?
    ) async throws -> VendConfirmation {
        let outcome = try await database.query("""
            SELECT purchases.confirm_vend(\(vendorId), \(raasTxnRef.uuid), \(vendReference), \(code), \(message),
                \(token)) AS outcome
            """).single().decode(String.self, "outcome")
        guard let confirmation = VendConfirmation(rawValue: outcome) else {
            throw PostgresError.decoding("unknown confirmation outcome \(outcome)")
        }
        return confirmation
    }

    /// Every broken purchase invariant (API.md §11); empty when sound.
    public func invariantViolations() async throws -> [String] {
        try await database.query("SELECT purchases.invariant_violations() AS problem").map {
            try $0.decode(String.self, "problem")
        }
    }
}
