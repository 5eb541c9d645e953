public import Foundation

/// One leg of a transfer. Positive amounts debit the account, negative ones credit it; a transfer's postings sum
/// to zero per currency.
public struct Posting: Sendable, Equatable {
    public var accountCode: String
    public var amountMinor: Int64

    public init(accountCode: String, amountMinor: Int64) {
        self.accountCode = accountCode
        self.amountMinor = amountMinor
    }

    /// The two postings that move `amountMinor` from `from` (debited) to `to` (credited).
    public static func move(_ amountMinor: Int64, debit from: String, credit to: String) -> [Posting] {
        [Posting(accountCode: from, amountMinor: amountMinor), Posting(accountCode: to, amountMinor: -amountMinor)]
    }
}

/// A transfer to write: posted at once (`single`) or held until resolved (`pending`).
public struct TransferRequest: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case single
        /// Held until posted or voided; expired by the database clock after the timeout when one is given.
        case pending(timeoutSeconds: Int?)
    }

    /// Chosen by the caller, so that a retry after a lost answer cannot book twice.
    public var id: UUID
    public var phase: Phase
    public var postings: [Posting]
    public var description: String

    public init(id: UUID, phase: Phase, postings: [Posting], description: String = "") {
        self.id = id
        self.phase = phase
        self.postings = postings
        self.description = description
    }
}

/// What the ledger answered for a transfer.
public struct TransferReceipt: Sendable, Equatable {
    public let id: UUID
    public let createdAt: Date
    /// True when the id was already written with the same content: nothing new happened.
    public let replayed: Bool
}
