/// A payment request's status (API.md §12), by the id the API answers with. The same list is the table
/// `chat2pay.statuses` (Migrations/0028_chat_2_pay.sql); `Chat2PayTests.statusesAgree` checks that the two agree.
public enum PaymentRequestStatus: Int, CaseIterable, Sendable {
    case linkRequestReceived = 1
    case linkSent = 2
    case linkSendFailed = 3
    case linkClicked = 4
    case linkExpired = 5
    case pageExpired = 6
    case authorized = 7
    case captured = 8
    case declined = 9
    case reversed = 10
    case linkCancelled = 19
    case receiptLinkSent = 20
    case receiptLinkSendFailed = 21

    /// The name the API answers with.
    public var name: String {
        switch self {
        case .linkRequestReceived: "PAYMENT_LINK_REQUEST_RECEIVED"
        case .linkSent: "PAYMENT_LINK_SENT"
        case .linkSendFailed: "PAYMENT_LINK_SENT_FAILED"
        case .linkClicked: "PAYMENT_LINK_CLICKED"
        case .linkExpired: "PAYMENT_LINK_EXPIRED"
        case .pageExpired: "PAYMENT_PAGE_EXPIRED"
        case .authorized: "AUTHORIZED"
        case .captured: "CAPTURED"
        case .declined: "DECLINED"
        case .reversed: "REVERSED"
        case .linkCancelled: "PAYMENT_LINK_CANCELLED"
        case .receiptLinkSent: "RECEIPT_LINK_SENT"
        case .receiptLinkSendFailed: "RECEIPT_LINK_SENT_FAILED"
        }
    }

    public init?(name: String) {
        guard let status = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = status
    }
}
