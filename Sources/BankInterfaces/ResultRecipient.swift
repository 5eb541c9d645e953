import Foundation
public import OutboundHTTP

/// Whoever a transactResult goes to (API.md §4.2): the bank in Reserve and Transact, the client's
/// `transactResultUrl` in Transact. Deliveries carry the exact bytes stored for the transaction, so every
/// delivery of one result is the same.
public protocol ResultRecipient: Sendable {
    func deliverResult(body: [UInt8]) async -> Delivery
}

/// A client's own `transactResultUrl` (the Transact flow, API.md §3.2).
extension HTTPEndpoint: ResultRecipient {
    public func deliverResult(body: [UInt8]) async -> Delivery {
        await deliver(body: body)
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
