/// What the payment page shows of a request (`chat2pay.page_view`): the merchant, the order, its amounts (written
/// for the customer by the database, as the link's message writes them) and where the request stands.
struct PageView: Decodable, Sendable {
    let paymentLinkRef: String
    let merchantName: String
    let orderNumber: String
    let subTotal: String
    let tax: String
    let total: String
    /// What was taken, when the payment was captured.
    let captured: String?
    let status: String
    /// A submission is waiting for the bank's answer.
    let paying: Bool
    let bankResponseCode: String?
    let bankResponseMessage: String?
    let pageExpiresAt: String?
    /// When it was captured (a receipt's view only).
    let paidAt: String?

    enum CodingKeys: String, CodingKey {
        case paymentLinkRef = "payment_link_ref", merchantName = "merchant_name", orderNumber = "order_number"
        case subTotal = "sub_total", tax, total, captured, status, paying, bankResponseCode = "bank_response_code"
        case bankResponseMessage = "bank_response_message", pageExpiresAt = "page_expires_at", paidAt = "paid_at"
    }

    /// What the customer can do, or has done.
    enum Stage: Sendable {
        /// The form: pay now.
        case payable
        /// A submission is waiting for the bank.
        case paying
        case paid
        /// The bank declined: its message.
        case declined(String)
        /// The link or the page is no longer valid: why, in the customer's words.
        case closed(String)
    }

    var stage: Stage {
        switch PaymentRequestStatus(name: status) {
        case .linkClicked: paying ? .paying : .payable
        case .authorized, .captured, .receiptLinkSent, .receiptLinkSendFailed: .paid
        case .declined: .declined(bankResponseMessage ?? "The bank declined the payment.")
        case .linkExpired: .closed("This payment link has expired. Ask the merchant for a new one.")
        case .pageExpired: .closed("This payment page has expired. Ask the merchant for a new link.")
        case .linkCancelled: .closed("The merchant cancelled this payment request.")
        case .reversed: .closed("This payment was reversed by the merchant.")
        case .linkSent, .linkRequestReceived, .linkSendFailed, nil: .closed("This payment link is not valid.")
        }
    }
}
