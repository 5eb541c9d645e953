/// The channels of API.md §7, by channelId.
public enum ChannelKind: Int, Sendable, CaseIterable {
    case sms = 6
    case whatsApp = 8
}

/// One message handed to a channel adapter.
public struct OutgoingMessage: Sendable, Equatable {
    /// The service's id of the notification: the adapter's idempotency key with its supplier.
    public let notificationId: String
    public let channel: ChannelKind
    /// An MSISDN.
    public let destinationIdentifier: String
    public let message: String

    public init(notificationId: String, channel: ChannelKind, destinationIdentifier: String, message: String) {
        self.notificationId = notificationId
        self.channel = channel
        self.destinationIdentifier = destinationIdentifier
        self.message = message
    }
}

/// What a channel said when it was handed a message.
public enum SendOutcome: Sendable, Equatable {
    /// The supplier took the message under its own reference. `receipts` are the statuses it reports at once, in
    /// order (the simulated channel reports the whole journey; a gateway reports later, by delivery receipt).
    case accepted(supplierReference: String, receipts: [MessageStatus])
    /// The supplier refused it for good, with this status.
    case refused(MessageStatus)
    /// The supplier could not be asked (no connection, a timeout before sending, HTTP 5xx): try again later.
    case retryable(reason: String)

    /// What the send came to, as a metric label.
    public var metricLabel: String {
        switch self {
        case .accepted: "accepted"
        case .refused: "refused"
        case .retryable: "retryable"
        }
    }
}

/// A channel adapter (API.md §7: SMS and WhatsApp, each `simulated` or an `http` gateway): pluggable per client
/// and channel.
public protocol NotificationChannel: Sendable {
    func send(_ message: OutgoingMessage) async -> SendOutcome
}
