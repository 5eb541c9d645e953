public import TransactCore
import Foundation
public import BankInterfaces
public import Postgres
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

    /// What opening a purchase came to (API.md §3.3).
    public enum Opening: Sendable, Equatable {
        /// This request created the transaction. With an answer it is settled for now (rejected, or a Transact
        /// accepted); without one it is reserving: call the bank.
        case created(RaasTxnRef, CodedMessage?)
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
        struct Opened: Decodable {
            let claimed: Bool
            let raas_txn_ref: UUID
            let same_content: Bool
            let response_code: String?
            let response_message: String?
        }
        let opened = try JSONDecoder().decode(Opened.self, from: try await steps.apply(.init(fields: [
            "step": .text("open"), "transaction": .object(NewTransaction(request, decision, raasTxnRef).values),
            "deadline_seconds": .integer(Int64(reservationDeadlineSeconds)),
        ])))
        let reference = RaasTxnRef(opened.raas_txn_ref)
        let answer = opened.response_code.map { CodedMessage(code: $0, message: opened.response_message ?? "") }
        if opened.claimed { return .created(reference, answer) }
        guard opened.same_content else { return .duplicate }
        if let answer { return .replay(reference, answer) }
        return .inProgress(reference)
    }

    /// Records the bank's answer to reserveFunds and returns the client's answer. An answer recorded after the
    /// purchase was settled without it (its deadline passed) changes nothing: the settled answer is returned.
    public func recordReservation(_ reference: RaasTxnRef, _ outcome: ReserveOutcome, latencyMs: Int) async throws -> CodedMessage {
        let (kind, code, message, reserveFundsTxnRef, cause): (String, String?, String?, String?, String) =
            switch outcome {
            case .reserved(let reserveFundsTxnRef): ("reserved", Answer.success.code, nil, reserveFundsTxnRef, "reserved")
            case .declined(let code, let message): ("declined", code, message, nil, "\(code) \(message)")
            case .noAnswer(let reason): ("no_answer", nil, nil, nil, reason)
            }
        struct Recorded: Decodable {
            let response_code: String?
            let response_message: String?
        }
        let recorded = try JSONDecoder().decode(Recorded.self, from: try await steps.apply(.init(fields: [
            "step": .text("reservation"), "raas_txn_ref": .text(reference.value), "outcome": .text(kind),
            "code": .optional(code), "message": .optional(message), "reserve_funds_txn_ref": .optional(reserveFundsTxnRef),
            "cause": .text(cause), "latency_ms": .integer(Int64(latencyMs)),
        ])))
        guard let code = recorded.response_code else { return Answer.unexpectedError.coded }
        return CodedMessage(code: code, message: recorded.response_message ?? "")
    }
}

/// A transaction row as `purchases.open` reads it (`jsonb_populate_record`: the keys are the column names).
struct NewTransaction {
    let values: [String: StepValue]

    init(_ request: PurchaseRequest, _ decision: PurchaseDecision, _ reference: RaasTxnRef) {
        let flow = request.flow
        var values: [String: StepValue] = [
            "raas_txn_ref": .text(reference.value), "client_id": .integer(request.clientId),
            "client_txn_ref": .text(request.clientTxnRef),
            "flow": .text(flow == .reserveAndTransact ? "reserve_and_transact" : "transact"),
            "request_fingerprint": .text(PurchaseStore.fingerprint(of: request)), "product_id": .integer(request.productId),
            "funding_source_id": .integer(decision.fundingSourceId), "channel_id": .integer(request.channelId),
            "channel_name": .text(request.channelName), "channel_session_id": .text(request.channelSessionId),
            "source_identifier": .text(request.sourceIdentifier), "target_identifier": .text(request.targetIdentifier),
            "currency_code": .text(decision.currencyCode), "purchase_amount": .integer(request.purchaseAmount),
            "request_timestamp": .text(request.timestamp),
        ]
        values["account_identifier"] = request.accountIdentifier.map(StepValue.text)
        values["fee_amount"] = decision.feeAmount.map(StepValue.integer)
        values["lookup_reference"] = request.lookupReference.map(StepValue.text)
        values["additional_data"] = request.additionalData.map(StepValue.map)
        values["reserve_funds_txn_ref"] = request.reserveFundsTxnRef.map(StepValue.text)
        switch decision.verdict {
        case .reject(let answer):
            values["state"] = .text("failed")
            values["state_cause"] = .text("rejected: \(answer.code) \(answer.message)")
            values["response_code"] = .text(answer.code)
            values["response_message"] = .text(answer.message)
            values["transact_result_response_code"] = .text(answer.code)
            values["transact_result_response_message"] = .text(answer.message)
        case .accept(let breakdown):
            let product = decision.product
            values["product_type_id"] = .integer(product.productTypeId)
            values["vendor_id"] = .integer(product.vendorId)
            values["token_kind"] = product.tokenKind.map(StepValue.text)
            values["reserve_amount"] = .integer(breakdown.reserveAmount)
            values["vend_amount"] = .integer(breakdown.vendAmount)
            values["client_share_amount"] = .integer(breakdown.clientShareAmount)
            values["vendor_share_amount"] = .integer(breakdown.vendorShareAmount)
            values["settlement_amount"] = .integer(breakdown.settlementAmount)
            switch flow {
            case .reserveAndTransact:
                values["state"] = .text("reserving")
                values["state_cause"] = .text("accepted; asking the bank to reserve the funds")
            case .transact:
                values["state"] = .text("reserved")
                values["state_cause"] = .text("accepted; the client reserved the funds")
                values["reserve_funds_response_code"] = .text(Answer.success.code)
                values["response_code"] = .text(Answer.processingRequest.code)
                values["response_message"] = .text(Answer.processingRequest.message)
            }
        }
        self.values = values
    }
}
