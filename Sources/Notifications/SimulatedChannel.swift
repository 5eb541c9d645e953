/// The simulated channel of API.md §7. The last three digits of `destinationIdentifier` choose the outcome when they
/// name a status of the table that ends a message (`…029` → 29 RECIPIENT_DOES_NOT_EXIST, `…023` → 23
/// DELIVERY_FAILURE); otherwise the message goes QUEUED → SENT_TO_SUPPLIER → DEVICE_ACK, and on WhatsApp on to
/// READ. Statuses that only the service decides (stopped, expired, over a limit, out of credit) or that are still
/// on the way are never produced here: `…020`, `…002` and the like take the ordinary journey.
public struct SimulatedChannel: NotificationChannel {
    public init() {}

    /// Codes the channel may end a message with.
    static let supplierOutcomes: Set<Int> = Set(MessageStatus.all.map(\.code)).subtracting([1, 2, 3, 4, 5, 6, 20, 21, 22, 25, 26, 27, 28])

    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        let reference = "sim-" + message.notificationId
        let delivered: [MessageStatus] = message.channel == .whatsApp
            ? [.sentToSupplier, .deviceAck, .read] : [.sentToSupplier, .deviceAck]
        guard let code = Int(message.destinationIdentifier.suffix(3)), Self.supplierOutcomes.contains(code),
            let outcome = MessageStatus(code: code)
        else { return .accepted(supplierReference: reference, receipts: delivered) }
        return .accepted(supplierReference: reference, receipts: [.sentToSupplier, outcome])
    }
}
