/// Every answer the service gives with a `responseCode` (API.md §10), named once: its code and its message. SQL
/// knows them by the same names (`catalogue.answer_code('insufficientVendorFloat')`, from
/// `catalogue.answers()` in Migrations/repeatable/00_answers.sql); `AnswerCatalogueTests` checks that the two lists
/// agree, so a code or a message is written in exactly these two places and used by name everywhere else.
///
/// A message may name what varies in angle brackets (`Product ID <id> does not exist`); `filled` puts the values in.
public enum Answer: String, CaseIterable, Sendable {
    // Accepted, or done.
    case success, processingRequest, fundsReserved, operatorFound, resultDeliveryQueued
    case unexpectedError
    // A bank's reservation outcomes (API.md §4.1).
    case insufficientFunds, invalidAuthCode, accountNotMapped, maximumAmountExceeded, belowMinimumAmount, noFeeAmount
    case invalidFeeAmount, internalTimeout, blacklisted, accountInactive, unknownBankError
    // What the simulated bank says for itself (API.md §5.3).
    case bankReserved, noReservation, reservationState
    // A vendor's outcomes (API.md §3.4, §5).
    case supplierUnableToComplete, vendorCommunicationError, vendorCommunicationTimeout, vendorConnectionTimeout
    case invalidDataFormat, invalidAccountNumber, invalidMSISDN, insufficientVendorFloat, cannotConnectToVendor
    case vendorNeverReceived, vendorTimeout, vendOutcomeUnknown, vendorBusy
    // The product and the request.
    case invalidAmountIncrement, productInactive, productInactiveOnChannel, inProgress, duplicateClientTxnRef
    // Refusals with code 4000 (format errors themselves are `FormatError`'s).
    case formatError, headerSignatureInvalid, productIdDoesNotExist, productTypeIdDoesNotExist, channelNotConfigured
    case transactionNotFound, clientTransactionNotFound, missingTransactionReference, notificationNotFound
    case noResultToDeliver, bodyNotAForm, notificationTooLate
    case serviceNotFound
    // Mobile operator lookup (API.md §6).
    case msisdnMismatch, operatorUnknown, unknownCountryCode
    // Chat 2 Pay (API.md §12): refusals, and what the bank is told when a payment is released.
    case totalNotSum, chat2PayNotEnabled, fundingSourceNotLinked, currencyNotServed, duplicateOrderNumber
    case paymentRequestNotFound, paymentRequestCancelled, paymentRequestExpired, paymentRequestPaid
    case paymentNotAuthorised, captureExceedsAuthorisation, paymentReversed, authorisationExpired, paymentNotCaptured
    case transactResultURLRequired

    /// The code and the message, written once.
    public var coded: CodedMessage {
        let (code, message): (String, String) = switch self {
        case .success: ("0000", "Success")
        case .processingRequest: ("0000", "Processing request")
        case .fundsReserved: ("0000", "Processing request (funds reserved)")
        case .operatorFound: ("0000", "SUCCESS")
        case .resultDeliveryQueued: ("0000", "One more transactResult delivery is queued")
        case .unexpectedError: ("0001", "Unexpected error")
        case .insufficientFunds: ("2010", "Insufficient funds")
        case .invalidAuthCode: ("2020", "Invalid auth code or unknown sourceIdentifier")
        case .accountNotMapped: ("2030", "Account not mapped")
        case .maximumAmountExceeded: ("2040", "Maximum amount exceeded")
        case .belowMinimumAmount: ("2050", "Below minimum amount")
        case .noFeeAmount: ("2055", "No feeAmount provided")
        case .invalidFeeAmount: ("2055", "Invalid Fee Amount")
        case .internalTimeout: ("2060", "Internal timeout")
        case .blacklisted: ("2070", "sourceIdentifier blacklisted")
        case .accountInactive: ("2080", "Account inactive")
        case .unknownBankError: ("2090", "Unknown error")
        case .bankReserved: ("0000", "Funds reserved")
        case .noReservation: ("2090", "No reservation")
        case .reservationState: ("0000", "Reservation <state>")
        case .supplierUnableToComplete: ("2201", "The supplier was unable to complete this request")
        case .vendorCommunicationError: ("2202", "Vendor communication error")
        case .vendorCommunicationTimeout: ("2203", "Vendor communication timeout")
        case .vendorConnectionTimeout: ("2204", "Vendor connection timeout")
        case .invalidDataFormat: ("2210", "Invalid data format")
        case .invalidAccountNumber: ("2210", "Invalid account number")
        case .invalidMSISDN: ("2213", "Invalid MSISDN")
        case .insufficientVendorFloat: ("2221", "Insufficient vendor float")
        case .cannotConnectToVendor: ("2238", "Cannot connect to the vendor")
        case .vendorNeverReceived: ("2238", "The vendor never received <reference>")
        case .vendorTimeout: ("2239", "Timeout connecting to the vendor")
        case .vendOutcomeUnknown: ("2240", "Vend outcome unknown")
        case .vendorBusy: ("2241", "Vendor busy")
        case .invalidAmountIncrement: ("2511", "Invalid amount increment: amounts go up in steps of <increment>")
        case .productInactive: ("2512", "Product inactive")
        case .productInactiveOnChannel: ("2512", "Product inactive on channel <channelId>")
        case .inProgress: ("2604", "Transaction with this clientTxnRef is in progress")
        case .duplicateClientTxnRef: ("2604", "Duplicate clientTxnRef")
        case .formatError: ("4000", "<field> :<constraint>")
        case .headerSignatureInvalid: ("4000", "Header Signature invalid")
        case .productIdDoesNotExist: ("4000", "Product ID <productId> does not exist")
        case .productTypeIdDoesNotExist: ("4000", "Product type ID does not exist")
        case .channelNotConfigured: ("4000", "Channel not configured for client")
        case .transactionNotFound: ("4000", "Transaction not found")
        case .clientTransactionNotFound: ("4000", "Client transaction reference ID <reference> not found")
        case .missingTransactionReference:
            ("4000", "Missing parameter; at least one of these parameters are mandatory: raasTxnRef, clientTxnRef or reserveFundsTxnRef")
        case .notificationNotFound: ("4000", "Notification <notification> not found")
        case .noResultToDeliver: ("4000", "The transaction has no result to deliver (it reserved nothing, or is not final yet)")
        case .bodyNotAForm: ("4000", "body :must be a form")
        case .notificationTooLate: ("4000", "Notification can no longer be stopped")
        case .serviceNotFound: ("4010", "Service not found")
        case .msisdnMismatch: ("9010", "Msisdn format incorrect or countryCallingCode does not match msisdn")
        case .operatorUnknown: ("9020", "Unable to identify operator")
        case .unknownCountryCode: ("9090", "Unknown country code/prefix")
        case .totalNotSum: ("4000", "Total amount is not equal to the sum of tax and subtotal")
        case .chat2PayNotEnabled: ("4000", "Chat 2 Pay is not enabled for client")
        case .fundingSourceNotLinked: ("4000", "Funding source <fundingSourceId> is not linked to client")
        case .currencyNotServed: ("4000", "currency :must be the funding source's currency")
        case .duplicateOrderNumber: ("2604", "Duplicate orderNumber")
        case .paymentRequestNotFound: ("4000", "There is no such transaction with transaction reference <reference>")
        case .paymentRequestCancelled: ("4000", "already cancelled")
        case .paymentRequestExpired: ("4000", "expired")
        case .paymentRequestPaid: ("4000", "A payment request already paid cannot be cancelled")
        case .paymentNotAuthorised: ("4000", "The payment request holds no authorisation to capture or reverse")
        case .captureExceedsAuthorisation: ("4000", "amount :must not exceed the authorised amount")
        case .paymentReversed: ("2090", "Payment reversed by the merchant")
        case .authorisationExpired: ("2090", "Authorisation not captured within the confirmation window")
        case .paymentNotCaptured: ("4000", "The payment request has not been paid: there is no receipt to send")
        case .transactResultURLRequired: ("4000", "A product bought by chat needs the client's transactResultUrl")
        }
        return CodedMessage(code: code, message: message)
    }

    public var code: String { coded.code }
    public var message: String { coded.message }

    /// The code as an SQL literal (`'0000'`), for a predicate that must match a partial index's own (a bound
    /// parameter would not, in a generic plan).
    public var codeLiteral: String { "'\(code)'" }

    /// The answer with what varies put into its message, in order (`<…>` placeholders).
    public func filled(_ values: String...) -> CodedMessage {
        var message = self.message
        for value in values {
            guard let open = message.firstIndex(of: "<"), let close = message[open...].firstIndex(of: ">") else { break }
            message.replaceSubrange(open...close, with: value)
        }
        return CodedMessage(code: code, message: message)
    }

    /// Vendor outcomes worth another attempt (API.md §3.4): the codes `catalogue.is_retryable_vend_code` knows too.
    public static let retryableVendOutcomes: [Answer] = [
        .supplierUnableToComplete, .vendorCommunicationError, .vendorCommunicationTimeout, .vendorConnectionTimeout,
        .cannotConnectToVendor, .vendorTimeout, .vendorBusy,
    ]
}
