public import TransactCore
public import Foundation
import Vendors

/// A piece of durable purchase work claimed under a lease (DESIGN.md §7): its report is accepted only while the
/// lease is held.
public struct PurchaseJob: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A vend attempt, or a status query about the last attempt when its outcome is not known.
        case vend
        /// Deliver the transactResult.
        case deliverResult = "deliver_result"
        /// The reservation's answer was never recorded (the process calling the bank stopped): settle it as
        /// unanswered.
        case reservationDeadline = "reservation_deadline"
        /// Ask the bank what it holds for a reservation that was never answered.
        case reservationLookup = "reservation_lookup"
    }

    /// What a vend job does this time.
    public enum VendStep: Sendable, Equatable {
        /// A new attempt, under `<raasTxnRef>-<attempt>`; its start is already recorded.
        case vend(attempt: Int)
        /// Ask the vendor what became of attempt `attempt`, whose outcome was never recorded or is unknown.
        case status(attempt: Int)

        public var attempt: Int {
            switch self {
            case .vend(let attempt), .status(let attempt): attempt
            }
        }

        /// The vendor's operation, as a metric label.
        public var operation: String {
            switch self {
            case .vend: "vend"
            case .status: "status"
            }
        }
    }

    public let raasTxnRef: RaasTxnRef
    public let kind: Kind
    public let leaseToken: UUID
    /// Until when this process surely holds the lease: the lease's length counted on this process's clock from
    /// before the statement that took it was sent, so never later than the database's expiry, after which another
    /// worker may take the job over.
    public let leaseHeldUntil: ContinuousClock.Instant
    /// Set for vend jobs.
    public let vendStep: VendStep?
    public let transaction: PurchaseRecord
    /// Set for result deliveries: who receives the result and the exact bytes to send.
    public let delivery: (recipient: ResultRecipientKind, body: [UInt8])?

    public init(
        raasTxnRef: RaasTxnRef, kind: Kind, leaseToken: UUID, leaseHeldUntil: ContinuousClock.Instant, vendStep: VendStep?,
        transaction: PurchaseRecord, delivery: (recipient: ResultRecipientKind, body: [UInt8])?
    ) {
        self.raasTxnRef = raasTxnRef
        self.kind = kind
        self.leaseToken = leaseToken
        self.leaseHeldUntil = leaseHeldUntil
        self.vendStep = vendStep
        self.transaction = transaction
        self.delivery = delivery
    }

    /// The `leaseHeldUntil` of a lease of `seconds` taken by a statement about to be sent.
    static func leaseHeldUntil(takingSeconds seconds: Int) -> ContinuousClock.Instant {
        .now + .seconds(seconds)
    }
}

/// Where a transaction's result goes (API.md §4.2).
public enum ResultRecipientKind: String, Sendable, Decodable {
    /// The bank's transactResultUrl (Reserve and Transact).
    case fundingSource = "funding_source"
    /// The client's own transactResultUrl (Transact).
    case client
}

/// The columns of a transaction a worker needs (purchases.claim_jobs sends these, and no others).
public struct PurchaseRecord: Sendable, Decodable, Equatable {
    public let clientId: Int64
    public let productId: Int64
    public let productTypeId: Int64?
    public let vendorId: Int64?
    public let tokenKind: String?
    public let fundingSourceId: Int64
    public let targetIdentifier: String
    public let currencyCode: String
    public let vendAmount: Int64?
    /// The `traceparent` of the request that started the purchase: its work joins that trace (nil: not traced).
    public let traceParent: String?
}
