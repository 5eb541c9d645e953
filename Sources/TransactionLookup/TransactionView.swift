import Postgres
import TransactCore

/// A transaction as Transaction Lookup shows it (API.md §6). Every field is always present, `null` when the
/// transaction has no value for it yet (a reserveFundsTxnRef before the bank answered, a token before the vend).
struct TransactionView: Encodable {
    let id: Int64
    let raasTxnRef: String
    let clientTxnRef: String
    let reserveFundsTxnRef: String?
    let timestamp: String
    let purchaseAmount: Int64
    let productId: Int64
    let clientId: Int64
    let sourceIdentifier: String
    let targetIdentifier: String
    let channelId: Int64
    let channelName: String
    let channelSessionId: String
    let reserveFundsResponseCode: String?
    let transactResultResponseCode: String?
    let transactionStatus: String
    let token: String?
    let reserveAmount: Int64?
    let feeAmount: Int64?
    let clientShareAmount: Int64?
    let settlementAmount: Int64?
    let vendAmount: Int64?

    init(row: PostgresRow) throws {
        id = try row.decode(Int64.self, "id")
        raasTxnRef = try row.decode(String.self, "raas_txn_ref")
        clientTxnRef = try row.decode(String.self, "client_txn_ref")
        reserveFundsTxnRef = try row.decode(String?.self, "reserve_funds_txn_ref")
        timestamp = try row.decode(String.self, "created")
        purchaseAmount = try row.decode(Int64.self, "purchase_amount")
        productId = try row.decode(Int64.self, "product_id")
        clientId = try row.decode(Int64.self, "client_id")
        sourceIdentifier = try row.decode(String.self, "source_identifier")
        targetIdentifier = try row.decode(String.self, "target_identifier")
        channelId = try row.decode(Int64.self, "channel_id")
        channelName = try row.decode(String.self, "channel_name")
        channelSessionId = try row.decode(String.self, "channel_session_id")
        reserveFundsResponseCode = try row.decode(String?.self, "reserve_funds_response_code")
        transactResultResponseCode = try row.decode(String?.self, "transact_result_response_code")
        transactionStatus = try row.decode(String.self, "transaction_status")
        token = try row.decode(String?.self, "token")
        reserveAmount = try row.decode(Int64?.self, "reserve_amount")
        feeAmount = try row.decode(Int64?.self, "fee_amount")
        clientShareAmount = try row.decode(Int64?.self, "client_share_amount")
        settlementAmount = try row.decode(Int64?.self, "settlement_amount")
        vendAmount = try row.decode(Int64?.self, "vend_amount")
    }

    func matches(every references: [TransactionLookupQuery.Reference]) -> Bool {
        references.allSatisfy { reference in
            switch reference {
            case .raasTxnRef(let value): raasTxnRef == value.value
            case .clientTxnRef(let value): clientTxnRef == value
            case .reserveFundsTxnRef(let value): reserveFundsTxnRef == value
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case responseCode, responseMessage
        case id, raasTxnRef, clientTxnRef, reserveFundsTxnRef, timestamp, amount, purchaseAmount, productId, clientId
        case sourceIdentifier, targetIdentifier, channelId, channelName, channelSessionId, reserveFundsResponseCode
        case transactResultResponseCode, transactionStatus, token, reserveAmount, feeAmount, clientShareAmount
        case settlementAmount, vendAmount
    }

    /// Written by hand so that absent values are `null` rather than missing keys. `amount` is the purchaseAmount
    /// (decided here), and the answer carries the lookup envelope (`responseCode` `0000`).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Answer.success.code, forKey: .responseCode)
        try container.encode(Answer.success.message, forKey: .responseMessage)
        try container.encode(id, forKey: .id)
        try container.encode(raasTxnRef, forKey: .raasTxnRef)
        try container.encode(clientTxnRef, forKey: .clientTxnRef)
        try container.encode(reserveFundsTxnRef, forKey: .reserveFundsTxnRef)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(purchaseAmount, forKey: .amount)
        try container.encode(purchaseAmount, forKey: .purchaseAmount)
        try container.encode(productId, forKey: .productId)
        try container.encode(clientId, forKey: .clientId)
        try container.encode(sourceIdentifier, forKey: .sourceIdentifier)
        try container.encode(targetIdentifier, forKey: .targetIdentifier)
        try container.encode(channelId, forKey: .channelId)
        try container.encode(channelName, forKey: .channelName)
        try container.encode(channelSessionId, forKey: .channelSessionId)
        try container.encode(reserveFundsResponseCode, forKey: .reserveFundsResponseCode)
        try container.encode(transactResultResponseCode, forKey: .transactResultResponseCode)
        try container.encode(transactionStatus, forKey: .transactionStatus)
        try container.encode(token, forKey: .token)
        try container.encode(reserveAmount, forKey: .reserveAmount)
        try container.encode(feeAmount, forKey: .feeAmount)
        try container.encode(clientShareAmount, forKey: .clientShareAmount)
        try container.encode(settlementAmount, forKey: .settlementAmount)
        try container.encode(vendAmount, forKey: .vendAmount)
    }
}
