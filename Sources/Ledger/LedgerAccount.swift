/// The side on which an account grows. Assets and expenses grow by debits; the others by credits.
public enum AccountKind: String, Sendable, CaseIterable {
    case asset, liability, equity, revenue, expense
}

/// What to create: an account is identified by its code (for example `client:200:receivable:ZAR`).
public struct AccountSpecification: Sendable, Equatable {
    public var code: String
    public var currency: String
    public var kind: AccountKind
    /// Refuse any transfer that would make debits (posted plus pending) exceed posted credits: a balance that
    /// must never go below zero, such as a prepaid float held as a liability.
    public var debitsMustNotExceedCredits: Bool
    public var creditsMustNotExceedDebits: Bool

    public init(
        code: String, currency: String, kind: AccountKind,
        debitsMustNotExceedCredits: Bool = false, creditsMustNotExceedDebits: Bool = false
    ) {
        self.code = code
        self.currency = currency
        self.kind = kind
        self.debitsMustNotExceedCredits = debitsMustNotExceedCredits
        self.creditsMustNotExceedDebits = creditsMustNotExceedDebits
    }
}

/// An account's balances in minor units, from the account's own side (see `AccountKind`).
public struct AccountBalance: Sendable, Equatable {
    public let accountID: Int64
    public let code: String
    public let currency: String
    public let kind: AccountKind
    public let postedMinor: Int64
    public let pendingMinor: Int64
    /// Posted minus pending outflows: what may still leave the account.
    public let availableMinor: Int64
    public let postedDebitsMinor: Int64
    public let postedCreditsMinor: Int64
    public let pendingDebitsMinor: Int64
    public let pendingCreditsMinor: Int64
}
