import Postgres

/// A refusal by the ledger's rules, which PostgreSQL enforces (Migrations/0001_ledger.sql and
/// Migrations/repeatable/01_ledger.sql).
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The postings do not sum to zero per currency (LG001).
    case unbalanced(String)
    /// Postings added to a transfer outside the statement that created it (LG002).
    case postingsOutsideTransfer(String)
    /// An update or delete of ledger history (LG003).
    case historyIsAppendOnly(String)
    /// An id reused with different content (LG004).
    case conflictingReplay(String)
    /// A resolution that does not fit its pending transfer: not pending, not yet expired, more than held (LG005).
    case invalidResolution(String)
    /// A post or void of a pending transfer that has already expired (LG006).
    case pendingExpired(String)
    /// A transfer names an account code that does not exist.
    case unknownAccount(String)
    /// A posting written by raw SQL names a transfer or an account id that does not exist (LG008).
    case unknownReference(String)
    /// A transfer names one account twice (one posting per account and transfer).
    case repeatedAccount(String)
    /// The transfer would take a flagged account past its limit (pending included).
    case insufficientFunds(String)
    /// The pending transfer has already been posted, voided or expired.
    case alreadyResolved(String)

    public var description: String {
        switch self {
        case .unbalanced(let m), .postingsOutsideTransfer(let m), .historyIsAppendOnly(let m),
            .conflictingReplay(let m), .invalidResolution(let m), .pendingExpired(let m), .unknownAccount(let m),
            .insufficientFunds(let m), .alreadyResolved(let m), .repeatedAccount(let m), .unknownReference(let m):
            m
        }
    }

    /// The ledger's reading of a database error, or nil when it is not one of the ledger's refusals.
    public init?(_ error: any Error) {
        guard let serverError = (error as? PostgresError)?.serverError else { return nil }
        let message = serverError.message
        switch serverError.sqlState.code {
        case "LG001": self = .unbalanced(message)
        case "LG002": self = .postingsOutsideTransfer(message)
        case "LG003": self = .historyIsAppendOnly(message)
        case "LG004": self = .conflictingReplay(message)
        case "LG005": self = .invalidResolution(message)
        case "LG006": self = .pendingExpired(message)
        case "LG008": self = .unknownReference(message)
        case SQLState.notNullViolation.code where serverError.columnName == "account_id":
            self = .unknownAccount("the transfer names an account that does not exist")
        case SQLState.checkViolation.code
        where serverError.constraintName == "debits_within_credits" || serverError.constraintName == "credits_within_debits":
            self = .insufficientFunds(message)
        case SQLState.uniqueViolation.code where serverError.constraintName == "transfers_resolved_once":
            self = .alreadyResolved(message)
        case SQLState.uniqueViolation.code where serverError.constraintName == "postings_pkey":
            self = .repeatedAccount("the transfer names one account twice")
        default:
            return nil
        }
    }
}
