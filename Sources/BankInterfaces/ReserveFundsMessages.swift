import TransactCore
/// `POST <reserveFundsUrl>` (API.md §4.1): what the service sends the bank.
public struct ReserveFundsRequest: Codable, Sendable, Equatable {
    public var clientTxnRef: String
    public var raasTxnRef: String
    public var productId: Int64
    public var productType: String
    public var purchaseAmount: Int64
    public var reserveAmount: Int64
    public var feeAmount: Int64
    public var vendAmount: Int64
    public var currencyCode: String
    public var clientId: Int64
    public var sourceIdentifier: String
    public var targetIdentifier: String
    public var accountIdentifier: String?
    /// The buyer's PIN or OTP, forwarded as received; never logged or stored.
    public var authCode: String?
    public var channelId: Int64
    public var channelName: String
    public var channelSessionId: String
    public var timestamp: String

    public init(
        clientTxnRef: String, raasTxnRef: String, productId: Int64, productType: String, purchaseAmount: Int64,
        reserveAmount: Int64, feeAmount: Int64, vendAmount: Int64, currencyCode: String, clientId: Int64,
        sourceIdentifier: String, targetIdentifier: String, accountIdentifier: String?, authCode: String?, channelId: Int64,
        channelName: String, channelSessionId: String, timestamp: String
    ) {
        self.clientTxnRef = clientTxnRef
        self.raasTxnRef = raasTxnRef
        self.productId = productId
        self.productType = productType
        self.purchaseAmount = purchaseAmount
        self.reserveAmount = reserveAmount
        self.feeAmount = feeAmount
        self.vendAmount = vendAmount
        self.currencyCode = currencyCode
        self.clientId = clientId
        self.sourceIdentifier = sourceIdentifier
        self.targetIdentifier = targetIdentifier
        self.accountIdentifier = accountIdentifier
        self.authCode = authCode
        self.channelId = channelId
        self.channelName = channelName
        self.channelSessionId = channelSessionId
        self.timestamp = timestamp
    }
}

/// The bank's answer (API.md §4.1), also the body of a status lookup (§4.3). A bank may echo amounts; when it
/// does, they must be the ones sent.
public struct ReserveFundsAnswer: Codable, Sendable, Equatable {
    public var raasTxnRef: String
    public var clientTxnRef: String
    public var reserveFundsTxnRef: String?
    public var responseCode: String
    public var responseMessage: String
    public var purchaseAmount: Int64?
    public var reserveAmount: Int64?
    public var feeAmount: Int64?
    public var vendAmount: Int64?

    public init(
        raasTxnRef: String, clientTxnRef: String, reserveFundsTxnRef: String?, responseCode: String, responseMessage: String,
        purchaseAmount: Int64? = nil, reserveAmount: Int64? = nil, feeAmount: Int64? = nil, vendAmount: Int64? = nil
    ) {
        self.raasTxnRef = raasTxnRef
        self.clientTxnRef = clientTxnRef
        self.reserveFundsTxnRef = reserveFundsTxnRef
        self.responseCode = responseCode
        self.responseMessage = responseMessage
        self.purchaseAmount = purchaseAmount
        self.reserveAmount = reserveAmount
        self.feeAmount = feeAmount
        self.vendAmount = vendAmount
    }

    /// Whether this answers `request`: the same references, the same amounts where echoed, a known code, and a
    /// reservation reference when it says reserved. Anything else counts as unreadable (API.md §4.1).
    public func answers(_ request: ReserveFundsRequest) -> Bool {
        guard raasTxnRef == request.raasTxnRef, clientTxnRef == request.clientTxnRef else { return false }
        for (echoed, sent) in [(purchaseAmount, request.purchaseAmount), (reserveAmount, request.reserveAmount),
                               (feeAmount, request.feeAmount), (vendAmount, request.vendAmount)]
        where echoed != nil && echoed != sent {
            return false
        }
        guard responseCode.count == 4, responseCode.allSatisfy(\.isASCII), responseCode.allSatisfy(\.isNumber) else { return false }
        if responseCode == Answer.success.code {
            guard let reference = reserveFundsTxnRef, (1...64).contains(reference.count) else { return false }
        }
        return true
    }
}
