/// What a vendor adapter is asked to dispense (API.md §5.1).
public struct VendRequest: Sendable, Equatable {
    /// `<raasTxnRef>-0000`, `-0001`, … one per attempt.
    public var reference: String
    public var productId: Int64
    public var productTypeId: Int64
    public var amount: Int64
    public var currencyCode: String
    public var targetIdentifier: String
    public var tokenKind: TokenKind?

    /// The kind of token a token product returns.
    public enum TokenKind: String, Sendable {
        /// A 20-digit numeric token (prepaid electricity).
        case numeric20
        /// A 16-character voucher PIN.
        case voucherPIN16
    }

    public init(
        reference: String, productId: Int64, productTypeId: Int64, amount: Int64, currencyCode: String, targetIdentifier: String,
        tokenKind: TokenKind?
    ) {
        self.reference = reference
        self.productId = productId
        self.productTypeId = productTypeId
        self.amount = amount
        self.currencyCode = currencyCode
        self.targetIdentifier = targetIdentifier
        self.tokenKind = tokenKind
    }

    /// The attempt number of `<raasTxnRef>-NNNN`.
    public var attempt: Int? {
        guard let suffix = reference.split(separator: "-").last, suffix.count == 4 else { return nil }
        return Int(suffix)
    }
}
