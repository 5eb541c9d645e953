import TransactCore
/// `POST <transactResultUrl>` (API.md §4.2): the outcome, delivered at least once with the same content each time.
public struct TransactResultNotice: Codable, Sendable, Equatable {
    public var raasTxnRef: String
    public var clientTxnRef: String
    public var reserveFundsTxnRef: String?
    /// `0000` dispensed, else the failure code.
    public var responseCode: String
    public var responseMessage: String
    /// `SUCCESS` or `FAILED`.
    public var transactionStatus: String
    public var purchaseAmount: Int64
    public var reserveAmount: Int64
    public var vendAmount: Int64
    public var feeAmount: Int64
    public var clientShareAmount: Int64
    public var vendorShareAmount: Int64
    public var settlementAmount: Int64
    public var timestamp: String
    /// Voucher, PIN or token for token products, else empty.
    public var token: String

    public init(
        raasTxnRef: String, clientTxnRef: String, reserveFundsTxnRef: String?, responseCode: String, responseMessage: String,
        transactionStatus: String, purchaseAmount: Int64, reserveAmount: Int64, vendAmount: Int64, feeAmount: Int64,
        clientShareAmount: Int64, vendorShareAmount: Int64, settlementAmount: Int64, timestamp: String, token: String
    ) {
        self.raasTxnRef = raasTxnRef
        self.clientTxnRef = clientTxnRef
        self.reserveFundsTxnRef = reserveFundsTxnRef
        self.responseCode = responseCode
        self.responseMessage = responseMessage
        self.transactionStatus = transactionStatus
        self.purchaseAmount = purchaseAmount
        self.reserveAmount = reserveAmount
        self.vendAmount = vendAmount
        self.feeAmount = feeAmount
        self.clientShareAmount = clientShareAmount
        self.vendorShareAmount = vendorShareAmount
        self.settlementAmount = settlementAmount
        self.timestamp = timestamp
        self.token = token
    }

    public var isSuccess: Bool { responseCode == Answer.success.code && transactionStatus == "SUCCESS" }
}
