public import Foundation

/// One ledger write, as a batch carries it.
public enum LedgerOperation: Sendable, Equatable {
    case transfer(TransferRequest)
    /// Post a pending transfer in full (`amountMinor` nil) or in part.
    case post(id: UUID, pendingID: UUID, amountMinor: Int64?)
    case void(id: UUID, pendingID: UUID)

    public var id: UUID {
        switch self {
        case .transfer(let request): request.id
        case .post(let id, _, _), .void(let id, _): id
        }
    }

    /// The JSON item `ledger.create_transfers` reads.
    var batchItem: [String: BatchValue] {
        switch self {
        case .transfer(let request):
            var item: [String: BatchValue] = [
                "id": .text(request.id.uuidString.lowercased()),
                "accounts": .texts(request.postings.map(\.accountCode)),
                "amounts": .integers(request.postings.map(\.amountMinor)),
                "description": .text(request.description),
            ]
            switch request.phase {
            case .single:
                item["op"] = .text("single")
            case .pending(let timeoutSeconds):
                item["op"] = .text("pending")
                if let timeoutSeconds { item["timeout_seconds"] = .integer(Int64(timeoutSeconds)) }
            }
            return item
        case .post(let id, let pendingID, let amountMinor):
            var item: [String: BatchValue] = [
                "op": .text("post"), "id": .text(id.uuidString.lowercased()),
                "pending_id": .text(pendingID.uuidString.lowercased()),
            ]
            if let amountMinor { item["amount"] = .integer(amountMinor) }
            return item
        case .void(let id, let pendingID):
            return [
                "op": .text("void"), "id": .text(id.uuidString.lowercased()),
                "pending_id": .text(pendingID.uuidString.lowercased()),
            ]
        }
    }
}

/// The few JSON shapes a batch item holds.
enum BatchValue: Encodable, Sendable {
    case text(String)
    case integer(Int64)
    case texts([String])
    case integers([Int64])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .texts(let value): try container.encode(value)
        case .integers(let value): try container.encode(value)
        }
    }
}
