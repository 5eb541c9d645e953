import Foundation
import Postgres

/// A message as `GET /notification/1.0/…` shows it (API.md §7): its current status, status code and description,
/// and every status it entered, with times.
struct NotificationView: Encodable {
    let notificationId: String
    let clientNotificationRef: String
    let clientId: Int64
    let channelId: Int
    let destinationIdentifier: String
    let sourceIdentifier: String?
    let transactionRef: String?
    let scheduledAt: String?
    let validUntil: String?
    let createdAt: String
    /// A One API integration's own reference of the message (API.md §13); absent for the others.
    let clientMessageId: String?
    let status: String
    let statusCode: Int
    let description: String
    let history: [Entry]

    struct Entry: Encodable, Equatable {
        let status: String
        let statusCode: Int
        let description: String
        let timestamp: String

        init(_ status: MessageStatus, at timestamp: String) {
            self.status = status.name
            self.statusCode = status.code
            self.description = status.explanation
            self.timestamp = timestamp
        }
    }

    init(row: PostgresRow) throws {
        notificationId = try row.decode(UUID.self, "notification_id").uuidString.lowercased()
        clientNotificationRef = try row.decode(String.self, "client_notification_ref")
        clientId = try row.decode(Int64.self, "client_id")
        channelId = try row.decode(Int.self, "channel_id")
        destinationIdentifier = try row.decode(String.self, "destination_identifier")
        sourceIdentifier = try row.decode(String?.self, "source_identifier")
        transactionRef = try row.decode(String?.self, "transaction_ref")
        scheduledAt = try row.decode(String?.self, "scheduled_at")
        validUntil = try row.decode(String?.self, "valid_until")
        createdAt = try row.decode(String.self, "created_at")
        clientMessageId = try row.decode(String?.self, "client_message_id")
        let current = try NotificationStore.status(row.decode(Int.self, "status_code"))
        status = current.name
        statusCode = current.code
        description = current.explanation
        let entries = try JSONDecoder().decode([HistoryRow].self, from: Data(try row.decode(String.self, "history").utf8))
        history = try entries.map { Entry(try NotificationStore.status($0.code), at: $0.timestamp) }
    }

    /// `[status_code, timestamp]`, as the query aggregates it.
    struct HistoryRow: Decodable {
        let code: Int
        let timestamp: String

        init(from decoder: any Decoder) throws {
            var pair = try decoder.unkeyedContainer()
            code = try pair.decode(Int.self)
            timestamp = try pair.decode(String.self)
        }
    }

    /// Nulls are written out, so every answer has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(notificationId, forKey: .notificationId)
        try container.encode(clientNotificationRef, forKey: .clientNotificationRef)
        try container.encode(clientId, forKey: .clientId)
        try container.encode(channelId, forKey: .channelId)
        try container.encode(destinationIdentifier, forKey: .destinationIdentifier)
        try container.encode(sourceIdentifier, forKey: .sourceIdentifier)
        try container.encode(transactionRef, forKey: .transactionRef)
        try container.encode(scheduledAt, forKey: .scheduledAt)
        try container.encode(validUntil, forKey: .validUntil)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(description, forKey: .description)
        try container.encode(history, forKey: .history)
    }

    enum CodingKeys: String, CodingKey {
        case notificationId, clientNotificationRef, clientId, channelId, destinationIdentifier, sourceIdentifier
        case transactionRef, scheduledAt, validUntil, createdAt, status, statusCode, description, history
    }
}

/// The body pushed to a client's notification callback URL for one status change. Made only from the change and
/// the message's fixed fields, so every attempt of one callback sends the same bytes.
struct StatusCallback: Sendable, Encodable {
    let notificationId: String
    let clientNotificationRef: String
    let channelId: Int
    let destinationIdentifier: String
    let transactionRef: String?
    let status: MessageStatus
    let timestamp: String

    enum CodingKeys: String, CodingKey {
        case notificationId, clientNotificationRef, channelId, destinationIdentifier, transactionRef, status, statusCode
        case description, timestamp
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(notificationId, forKey: .notificationId)
        try container.encode(clientNotificationRef, forKey: .clientNotificationRef)
        try container.encode(channelId, forKey: .channelId)
        try container.encode(destinationIdentifier, forKey: .destinationIdentifier)
        try container.encode(transactionRef, forKey: .transactionRef)
        try container.encode(status.name, forKey: .status)
        try container.encode(status.code, forKey: .statusCode)
        try container.encode(status.explanation, forKey: .description)
        try container.encode(timestamp, forKey: .timestamp)
    }

    /// The exact bytes: sorted keys, so the same callback always encodes the same.
    var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data())
    }
}
