import Foundation
public import Postgres
import TransactCrypto

/// The purchases table (Migrations/0003_purchases.sql): claiming a client reference, in one statement.
public struct PurchaseStore: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    /// What claiming `(clientId, clientTxnRef)` came to (API.md §3.3).
    public enum Claim: Sendable, Equatable {
        /// This request created the transaction: go on with it.
        case claimed(RaasTxnRef)
        /// A repeat of a request already answered: answer the same.
        case replay(RaasTxnRef, responseCode: String, responseMessage: String)
        /// A repeat of a request still being processed: 409 `2604` "Transaction with this clientTxnRef is in progress".
        case inProgress(RaasTxnRef)
        /// Another request under the same reference: 409 `2604` "Duplicate clientTxnRef".
        case duplicate
    }

    /// The SHA-256 of the request's canonical form.
    public static func fingerprint(of request: PurchaseRequest) -> String {
        Hex.encode(SHA256.hash(request.canonicalForm))
    }

    public func claim(_ request: PurchaseRequest, flow: PurchaseRequest.Flow, raasTxnRef: RaasTxnRef = RaasTxnRef()) async throws -> Claim {
        let additional = try request.additionalData.map { try PostgresJSON($0) }
        let flowName = flow == .reserveAndTransact ? "reserve_and_transact" : "transact"
        let row = try await database.query("""
            SELECT * FROM purchases.claim(
                \(raasTxnRef.uuid), \(request.clientId), \(request.clientTxnRef), \(flowName),
                \(Self.fingerprint(of: request)), \(request.productId), \(request.fundingSourceId), \(Int32(request.channelId)),
                \(request.channelName), \(request.channelSessionId), \(request.sourceIdentifier), \(request.targetIdentifier),
                \(request.accountIdentifier), \(request.currencyCode), \(request.purchaseAmount), \(request.feeAmount),
                \(request.timestamp), \(request.lookupReference), \(additional), \(request.reserveFundsTxnRef))
            """).single()
        let reference = RaasTxnRef(try row.decode(UUID.self, "raas_txn_ref"))
        if try row.decode(Bool.self, "claimed") { return .claimed(reference) }
        guard try row.decode(Bool.self, "same_content") else { return .duplicate }
        if let code = try row.decode(String?.self, "response_code") {
            return .replay(reference, responseCode: code, responseMessage: try row.decode(String?.self, "response_message") ?? "")
        }
        return .inProgress(reference)
    }
}
