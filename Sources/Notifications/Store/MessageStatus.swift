import Foundation

/// A message's status (API.md §7's table): every code there is part of the contract, so the table is data here,
/// looked up by code, and the few statuses the service itself decides have names of their own.
public struct MessageStatus: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let name: String

    init(_ code: Int, _ name: String) {
        self.code = code
        self.name = name
    }

    /// The status of `code`, nil for a code the table does not have.
    public init?(code: Int) {
        guard let known = Self.byCode[code] else { return nil }
        self = known
    }

    public var description: String { "\(code) \(name)" }

    /// What the status means, in words, for answers and callbacks: API.md's meaning where it gives one, else the
    /// name read as words ("WHATSAPP_SPAM_RATE_LIMIT_REACHED" → "Whatsapp spam rate limit reached").
    public var explanation: String {
        if let meaning = Self.meanings[code] { return meaning }
        let words = name.lowercased().replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static let meanings: [Int: String] = [
        1: "Message not found", 2: "Queued", 3: "Scheduled for later delivery", 4: "Sent to the supplier",
        5: "Delivered to the device", 6: "Read by the recipient", 20: "Not sent before validUntil",
        21: "Stopped by the client", 22: "Stopped by support", 23: "The message could not be delivered",
        25: "The messaging credit cannot pay for the message", 27: "The daily volume limit of the channel is reached",
        28: "The monthly volume limit of the channel is reached", 29: "The recipient does not exist",
    ]

    /// Still on its way: queued, scheduled or with the supplier. Every other status is an outcome; only a
    /// delivered WhatsApp message moves on from one (DEVICE_ACK, then READ).
    public var isPending: Bool { [2, 3, 4].contains(code) }

    /// Whether a supplier may report it (a receipt, a refusal); the others only the service decides.
    public var isReportedBySupplier: Bool { ![1, 2, 3, 20, 21, 22, 25, 26, 27, 28].contains(code) }

    public static let unknown = MessageStatus(1, "UNKNOWN")
    public static let queued = MessageStatus(2, "QUEUED")
    public static let scheduled = MessageStatus(3, "SCHEDULED")
    public static let sentToSupplier = MessageStatus(4, "SENT_TO_SUPPLIER")
    public static let deviceAck = MessageStatus(5, "DEVICE_ACK")
    public static let read = MessageStatus(6, "READ")
    public static let expired = MessageStatus(20, "EXPIRED")
    public static let stoppedByUser = MessageStatus(21, "STOPPED_BY_USER")
    public static let stoppedByAdmin = MessageStatus(22, "STOPPED_BY_ADMIN")
    public static let deliveryFailure = MessageStatus(23, "DELIVERY_FAILURE")
    public static let insufficientAccountBalance = MessageStatus(25, "INSUFFICIENT_ACCOUNT_BALANCE")
    public static let volumeLimitDaily = MessageStatus(27, "VOLUME_LIMIT_DAILY")
    public static let volumeLimitMonthly = MessageStatus(28, "VOLUME_LIMIT_MONTHLY")

    /// API.md §7, in code order.
    public static let all: [MessageStatus] = [
        unknown, queued, scheduled, sentToSupplier, deviceAck, read, expired, stoppedByUser, stoppedByAdmin,
        deliveryFailure, MessageStatus(24, "EMULATED"), insufficientAccountBalance, MessageStatus(26, "VOLUME_LIMIT"),
        volumeLimitDaily, volumeLimitMonthly, MessageStatus(29, "RECIPIENT_DOES_NOT_EXIST"),
        MessageStatus(60, "ENCRYPTION_ACCESS_DENIED"), MessageStatus(61, "ENCRYPTION_CONTENT_ERROR"),
        MessageStatus(80, "MEDIA_NOT_FOUND"), MessageStatus(81, "MEDIA_SIZE_ERROR"), MessageStatus(82, "MEDIA_CHECKSUM_FAILURE"),
        MessageStatus(83, "MEDIA_REJECTED_BY_SUPPLIER"), MessageStatus(84, "MEDIA_METADATA_ERROR"),
        MessageStatus(85, "MEDIA_ACCESS_ERROR"), MessageStatus(100, "ROUTING_ERROR"),
        MessageStatus(130, "WHATSAPP_ACCOUNT_PAYMENT_ISSUE"), MessageStatus(131, "WHATSAPP_RE_ENGAGEMENT_REQUIRED"),
        MessageStatus(132, "WHATSAPP_SPAM_RATE_LIMIT_REACHED"), MessageStatus(133, "WHATSAPP_SERVER_RATE_LIMIT"),
        MessageStatus(139, "WHATSAPP_EXPERIMENTAL_NUMBER"), MessageStatus(140, "WHATSAPP_TEMPLATE_TEXT_TOO_LONG"),
        MessageStatus(141, "WHATSAPP_TEMPLATE_FORMAT_MISMATCH"), MessageStatus(142, "WHATSAPP_TEMPLATE_FORMATTING_POLICY_VIOLATED"),
        MessageStatus(143, "WHATSAPP_TEMPLATE_MEDIA_FORMAT_UNSUPPORTED"), MessageStatus(144, "WHATSAPP_PARAMETER_MISSING"),
        MessageStatus(145, "WHATSAPP_PARAMETER_INVALID"), MessageStatus(146, "WHATSAPP_PARAMETER_NOT_REQUIRED"),
        MessageStatus(147, "WHATSAPP_TEMPLATE_INVALID_URL"), MessageStatus(148, "WHATSAPP_TEMPLATE_INVALID_PHONE_NUMBER"),
        MessageStatus(149, "WHATSAPP_TEMPLATE_RECEIVER_NO_BUTTON_SUPPORT"),
    ]

    static let byCode = Dictionary(all.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
}
