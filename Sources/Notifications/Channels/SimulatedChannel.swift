/// The simulated channel of API.md §7. The last three digits of `destinationIdentifier` choose the outcome when they
/// name a status of the table that ends a message (`…029` → 29 RECIPIENT_DOES_NOT_EXIST, `…023` → 23
/// DELIVERY_FAILURE); otherwise the message goes QUEUED → SENT_TO_SUPPLIER → DEVICE_ACK, and on WhatsApp on to
/// READ. Statuses that only the service decides (stopped, expired, over a limit, out of credit) or that are still
/// on the way are never produced here: `…020`, `…002` and the like take the ordinary journey.
public struct SimulatedChannel: NotificationChannel {
    public init() {}

    /// Codes the channel may end a message with.
    static let supplierOutcomes: Set<Int> = Set(MessageStatus.all.filter(\.isReportedBySupplier).map(\.code)).subtracting([4, 5, 6])

    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        .accepted(supplierReference: "sim-" + message.notificationId,
                  receipts: Self.journey(of: message.destinationIdentifier, on: message.channel))
    }

    /// The statuses a supplier reports for a message to `destination`, in order (also the gateway simulator's).
    public static func journey(of destination: String, on channel: ChannelKind) -> [MessageStatus] {
        guard let code = Int(destination.suffix(3)), supplierOutcomes.contains(code), let outcome = MessageStatus(code: code) else {
            return channel == .whatsApp ? [.sentToSupplier, .deviceAck, .read] : [.sentToSupplier, .deviceAck]
        }
        return [.sentToSupplier, outcome]
    }
}
