/// A 4-character `responseCode` of the purchase and lookup APIs (API.md §10). Leading zeros matter, so it is a
/// string, never a number.
public struct ResponseCode: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init?(_ code: String) {
        guard code.utf8.count == 4, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        self.code = code
    }

    private init(known code: StaticString) {
        self.code = code.description
    }

    public var description: String { code }

    public static let success = ResponseCode(known: "0000")
    public static let unexpectedError = ResponseCode(known: "0001")

    // Bank reservation outcomes (API.md §4.1).
    public static let insufficientFunds = ResponseCode(known: "2010")
    public static let invalidAuthCode = ResponseCode(known: "2020")
    public static let accountNotMapped = ResponseCode(known: "2030")
    public static let maximumAmountExceeded = ResponseCode(known: "2040")
    public static let belowMinimumAmount = ResponseCode(known: "2050")
    public static let invalidFeeAmount = ResponseCode(known: "2055")
    public static let internalTimeout = ResponseCode(known: "2060")
    public static let blacklisted = ResponseCode(known: "2070")
    public static let accountInactive = ResponseCode(known: "2080")
    public static let unknownBankError = ResponseCode(known: "2090")

    // Vendor outcomes.
    public static let supplierUnableToComplete = ResponseCode(known: "2201")
    public static let vendorCommunicationError = ResponseCode(known: "2202")
    public static let vendorCommunicationTimeout = ResponseCode(known: "2203")
    public static let vendorConnectionTimeout = ResponseCode(known: "2204")
    public static let insufficientVendorFloat = ResponseCode(known: "2221")
    public static let cannotConnectToVendor = ResponseCode(known: "2238")
    public static let vendorTimeout = ResponseCode(known: "2239")
    public static let vendOutcomeUnknown = ResponseCode(known: "2240")
    public static let vendorBusy = ResponseCode(known: "2241")

    // Product and request checks.
    public static let amountBelowProductMinimum = ResponseCode(known: "2509")
    public static let amountAboveProductMaximum = ResponseCode(known: "2510")
    public static let invalidAmountIncrement = ResponseCode(known: "2511")
    public static let productInactive = ResponseCode(known: "2512")
    public static let duplicateClientTxnRef = ResponseCode(known: "2604")
    public static let formatError = ResponseCode(known: "4000")
    public static let serviceNotFound = ResponseCode(known: "4010")

    /// A bank's reservation decline (2010–2090): the purchase fails and nothing was reserved.
    public var isReservationDecline: Bool {
        guard let value = Int(code) else { return false }
        return (2010...2090).contains(value)
    }

    /// Vendor outcomes that are retried with backoff (API.md §3.4); `purchases.is_retryable_vend_code` in
    /// Migrations/0003_purchases.sql holds the same list for the database's side.
    public var isRetryableVendorOutcome: Bool {
        [Self.supplierUnableToComplete, .vendorCommunicationError, .vendorCommunicationTimeout, .vendorConnectionTimeout,
         .cannotConnectToVendor, .vendorTimeout, .vendorBusy].contains(self)
    }
}
