import Foundation
import Observability
import TransactCore

/// A step of a purchase as `purchases.apply_steps` reads it (Migrations/repeatable/03_purchases.sql): a JSON object
/// whose `step` names the function, with the keys that function needs, in its own names. SQL refuses a step that
/// lacks one (`purchases.require_keys`), so a key misspelt on either side is an error, never a silent NULL. Each
/// step is a value of its own type; optional values (a message, a token) are left out when absent.
protocol PurchaseStep: Encodable, Sendable {
    /// Its batch lane; nil: written at once, on its own.
    static var lane: PurchaseSteps.Lane? { get }
    /// The function that applies it, as `purchases.apply_steps` names it.
    var step: String { get }
}

/// Stores a new purchase as decided (`purchases.open_all`): SQL picks its first state from the decision.
struct OpenStep: PurchaseStep {
    static let lane: PurchaseSteps.Lane? = .open
    let step = "open"
    let transaction: NewTransaction
    /// The business checks' refusal; absent for an accepted purchase.
    let rejection: CodedMessage?
    let deadlineSeconds: Int

    enum CodingKeys: String, CodingKey {
        case step, transaction, rejection, deadlineSeconds = "deadline_seconds"
    }
}

/// The bank's answer to reserveFunds (`purchases.record_reservation`): written at once, because it is what the
/// client's request is waiting for. With `leaseSeconds`, reserved funds also start the first vend attempt, leased to
/// the caller.
struct ReservationStep: PurchaseStep {
    static let lane: PurchaseSteps.Lane? = nil
    let step = "reservation"
    let raasTxnRef: String
    /// reserved, declined or no_answer.
    let outcome: String
    let code: String?
    let message: String?
    let reserveFundsTxnRef: String?
    let cause: String
    let latencyMs: Int
    /// The lease under which the caller takes the vend job; absent: left to a claim.
    let leaseSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case step, outcome, code, message, cause
        case raasTxnRef = "raas_txn_ref", reserveFundsTxnRef = "reserve_funds_txn_ref", latencyMs = "latency_ms"
        case leaseSeconds = "lease_seconds"
    }
}

/// What a vend attempt or a status query came to (`purchases.record_vends`, which decides what follows), with the
/// operator's settings for following vends up.
struct VendStep: PurchaseStep {
    static let lane: PurchaseSteps.Lane? = .worker
    let step = "vend"
    let raasTxnRef: String
    let leaseToken: UUID
    /// vend or status.
    let mode: String
    let attempt: Int
    /// success, declined, retryable, uncertain or unknown.
    let outcome: String
    let code: String?
    let message: String?
    let token: String?
    let latencyMs: Int
    let retryDelayMs: Int
    let maxRetryDelayMs: Int
    let maxPolls: Int
    let pollDelayMs: Int
    /// The lease under which the caller takes the result's delivery when the purchase becomes final; 0: left to a
    /// claim.
    let leaseSeconds: Int

    enum CodingKeys: String, CodingKey {
        case step, mode, attempt, outcome, code, message, token
        case raasTxnRef = "raas_txn_ref", leaseToken = "lease_token", latencyMs = "latency_ms"
        case retryDelayMs = "retry_delay_ms", maxRetryDelayMs = "max_retry_delay_ms", maxPolls = "max_polls"
        case pollDelayMs = "poll_delay_ms", leaseSeconds = "lease_seconds"
    }
}

/// A result delivery attempt (`purchases.record_deliveries`).
struct DeliveryStep: PurchaseStep {
    static let lane: PurchaseSteps.Lane? = .worker
    let step = "delivery"
    let raasTxnRef: String
    let leaseToken: UUID
    let acknowledged: Bool
    let outcome: String
    let latencyMs: Int

    enum CodingKeys: String, CodingKey {
        case step, acknowledged, outcome
        case raasTxnRef = "raas_txn_ref", leaseToken = "lease_token", latencyMs = "latency_ms"
    }
}

/// A purchase's row as `purchases.as_opened` reads it (`jsonb_populate_record`): the columns the request and the
/// decision give. The state, its cause and the answer are SQL's to set.
struct NewTransaction: Encodable, Sendable {
    let raasTxnRef: String
    let clientId: Int64
    let clientTxnRef: String
    let flow: String
    let requestFingerprint: String
    let productId: Int64
    let fundingSourceId: Int64
    let channelId: Int64
    let channelName: String
    let channelSessionId: String
    let sourceIdentifier: String
    let targetIdentifier: String
    let currencyCode: String
    let purchaseAmount: Int64
    let requestTimestamp: String
    let accountIdentifier: String?
    let feeAmount: Int64?
    let lookupReference: String?
    let additionalData: [String: String]?
    let reserveFundsTxnRef: String?
    // The product as it was sold and the breakdown of API.md §2.1: an accepted purchase's.
    let productTypeId: Int64?
    let vendorId: Int64?
    let tokenKind: String?
    let reserveAmount: Int64?
    let vendAmount: Int64?
    let clientShareAmount: Int64?
    let vendorShareAmount: Int64?
    let settlementAmount: Int64?
    /// The request's trace context, which the purchase's later work joins.
    let traceParent: String?

    enum CodingKeys: String, CodingKey {
        case flow
        case raasTxnRef = "raas_txn_ref", clientId = "client_id", clientTxnRef = "client_txn_ref"
        case requestFingerprint = "request_fingerprint", productId = "product_id", fundingSourceId = "funding_source_id"
        case channelId = "channel_id", channelName = "channel_name", channelSessionId = "channel_session_id"
        case sourceIdentifier = "source_identifier", targetIdentifier = "target_identifier", currencyCode = "currency_code"
        case purchaseAmount = "purchase_amount", requestTimestamp = "request_timestamp"
        case accountIdentifier = "account_identifier", feeAmount = "fee_amount", lookupReference = "lookup_reference"
        case additionalData = "additional_data", reserveFundsTxnRef = "reserve_funds_txn_ref"
        case productTypeId = "product_type_id", vendorId = "vendor_id", tokenKind = "token_kind"
        case reserveAmount = "reserve_amount", vendAmount = "vend_amount", clientShareAmount = "client_share_amount"
        case vendorShareAmount = "vendor_share_amount", settlementAmount = "settlement_amount"
        case traceParent = "trace_parent"
    }

    init(_ request: PurchaseRequest, _ decision: PurchaseDecision, _ reference: RaasTxnRef) {
        raasTxnRef = reference.value
        clientId = request.clientId
        clientTxnRef = request.clientTxnRef
        flow = request.flow == .reserveAndTransact ? "reserve_and_transact" : "transact"
        requestFingerprint = PurchaseStore.fingerprint(of: request)
        productId = request.productId
        fundingSourceId = decision.fundingSourceId
        channelId = request.channelId
        channelName = request.channelName
        channelSessionId = request.channelSessionId
        sourceIdentifier = request.sourceIdentifier
        targetIdentifier = request.targetIdentifier
        currencyCode = decision.currencyCode
        purchaseAmount = request.purchaseAmount
        requestTimestamp = request.timestamp
        accountIdentifier = request.accountIdentifier
        feeAmount = decision.feeAmount
        lookupReference = request.lookupReference
        additionalData = request.additionalData
        reserveFundsTxnRef = request.reserveFundsTxnRef
        let breakdown: FinancialBreakdown? = if case .accept(let breakdown) = decision.verdict { breakdown } else { nil }
        let product = breakdown.map { _ in decision.product }
        productTypeId = product?.productTypeId
        vendorId = product?.vendorId
        tokenKind = product?.tokenKind
        reserveAmount = breakdown?.reserveAmount
        vendAmount = breakdown?.vendAmount
        clientShareAmount = breakdown?.clientShareAmount
        vendorShareAmount = breakdown?.vendorShareAmount
        settlementAmount = breakdown?.settlementAmount
        traceParent = TraceContext.currentTraceParent()
    }
}
