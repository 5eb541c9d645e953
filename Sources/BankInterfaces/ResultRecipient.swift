import Foundation

/// Whoever a transactResult goes to (API.md §4.2): the bank in Reserve and Transact, the client's
/// `transactResultUrl` in Transact. Deliveries carry the exact bytes stored for the transaction, so every
/// delivery of one result is the same.
public protocol ResultRecipient: Sendable {
    func deliverResult(body: [UInt8]) async -> ResultDelivery
}

/// What one delivery attempt came to: acknowledged (any 2xx), and what happened, for the record.
public struct ResultDelivery: Sendable, Equatable {
    public let acknowledged: Bool
    public let detail: String

    public init(acknowledged: Bool, detail: String) {
        self.acknowledged = acknowledged
        self.detail = detail
    }
}

extension ResultRecipient {
    /// Delivers `notice` as JSON; true when acknowledged.
    public func deliverResult(_ notice: TransactResultNotice) async -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(notice) else { return false }
        return await deliverResult(body: Array(body)).acknowledged
    }
}
