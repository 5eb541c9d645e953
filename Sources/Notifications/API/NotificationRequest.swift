import Foundation
import TransactCore

/// `POST /notification/1.0`'s body (API.md §7), read by the API's rules.
struct NotificationRequest {
    let clientId: Int64
    let channelId: Int64
    let destinationIdentifier: String
    let message: String
    let clientNotificationRef: String
    let sourceIdentifier: String?
    let transactionRef: String?
    let channelRouteId: String?
    let scheduledAt: Date?
    let validUntil: Date?
    /// Where it came from: the Notifications API, or the One API (with its integration and its own reference).
    var origin = "api"
    var integrationId: Int64?
    var clientMessageId: String?

    /// A message the service composes itself (the One API's), its rules already checked by its caller.
    init(
        clientId: Int64, channelId: Int64, destinationIdentifier: String, message: String, clientNotificationRef: String,
        origin: String, integrationId: Int64?, clientMessageId: String?
    ) {
        self.clientId = clientId
        self.channelId = channelId
        self.destinationIdentifier = destinationIdentifier
        self.message = message
        self.clientNotificationRef = clientNotificationRef
        sourceIdentifier = nil
        transactionRef = nil
        channelRouteId = nil
        scheduledAt = nil
        validUntil = nil
        self.origin = origin
        self.integrationId = integrationId
        self.clientMessageId = clientMessageId
    }

    static let invalidReference = FormatError(field: "clientNotificationRef", message: "invalid value for field clientNotificationRef")

    init(_ body: JSONRequestBody, now: Date, maxScheduleDays: Int) throws(FormatError) {
        clientId = try body.requiredInteger("clientId", .digits(5))
        channelId = try body.requiredInteger("channelId", .channelId)
        destinationIdentifier = try body.requiredString("destinationIdentifier", length: 8...15)
        guard FieldRules.isMSISDN(destinationIdentifier) else { throw .notMSISDN("destinationIdentifier") }
        message = try body.requiredString("message", length: 1...1_600)
        // Letters, digits and . _ : - (the service's own references use '/', so they never collide with a client's).
        guard let reference = try? body.string("clientNotificationRef", length: 1...64),
            reference.utf8.allSatisfy({ Self.referenceBytes.contains($0) })
        else { throw Self.invalidReference }
        clientNotificationRef = reference
        sourceIdentifier = try body.string("sourceIdentifier", length: 1...64)
        transactionRef = try body.string("transactionRef", length: 1...64)
        channelRouteId = try Self.textOrInteger(body, "channelRouteId")
        scheduledAt = try Self.instant(body, "scheduledAt")
        validUntil = try Self.instant(body, "validUntil")
        if let scheduledAt, scheduledAt > now.addingTimeInterval(Double(maxScheduleDays) * 86_400) {
            throw FormatError("scheduledAt", "must be at most \(maxScheduleDays) days ahead")
        }
        if let validUntil, let scheduledAt, validUntil <= scheduledAt {
            throw FormatError("validUntil", "must be after scheduledAt")
        }
    }

    static let referenceBytes = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-".utf8))

    static func instant(_ body: JSONRequestBody, _ field: String) throws(FormatError) -> Date? {
        try body.timestamp(field, maxLength: 40)?.instant
    }

    /// An identifier some integrators send as a number and others as a string.
    static func textOrInteger(_ body: JSONRequestBody, _ field: String) throws(FormatError) -> String? {
        if let number = try? body.integer(field, .digits(18)) { return String(number) }
        return try body.string(field, length: 1...64)
    }
}
