public import TransactCore
/// What a vendor adapter is asked when a client validates a customer's account before a purchase (API.md §5.1,
/// §6 Customer Account Validation). Also the JSON body of the `http` adapter's `POST <url>/validateAccount`.
public struct AccountValidationRequest: Codable, Sendable, Equatable {
    public var productId: Int64
    public var productTypeId: Int64
    public var amount: Int64
    public var currencyCode: String
    /// The account (meter, smart card, customer number) to validate.
    public var targetIdentifier: String

    public init(productId: Int64, productTypeId: Int64, amount: Int64, currencyCode: String, targetIdentifier: String) {
        self.productId = productId
        self.productTypeId = productTypeId
        self.amount = amount
        self.currencyCode = currencyCode
        self.targetIdentifier = targetIdentifier
    }
}

/// Who the account belongs to.
public struct CustomerInfo: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var phone: String
    public var district: String

    public init(name: String, address: String, phone: String, district: String) {
        self.name = name
        self.address = address
        self.phone = phone
        self.district = district
    }
}

/// The account's standing, amounts in minor units.
public struct AccountInfo: Codable, Sendable, Equatable {
    public var accountNumber: String
    public var amount: Int64
    public var arrears: Int64
    public var minimumAmount: Int64
    public var tariff: String
    public var providerName: String

    public init(accountNumber: String, amount: Int64, arrears: Int64, minimumAmount: Int64, tariff: String, providerName: String) {
        self.accountNumber = accountNumber
        self.amount = amount
        self.arrears = arrears
        self.minimumAmount = minimumAmount
        self.tariff = tariff
        self.providerName = providerName
    }
}

public enum AccountValidationOutcome: Sendable, Equatable {
    case valid(CustomerInfo, AccountInfo)
    /// The vendor's code and message: an invalid account, or the vendor could not be asked (2202, 2238, 2239).
    case refused(code: String, message: String)

    /// A refusal the service names itself.
    public static func refused(_ answer: CodedMessage) -> AccountValidationOutcome {
        .refused(code: answer.code, message: answer.message)
    }

    /// Its kind, as a metric label (never the vendor's code: the set of labels stays small).
    public var metricLabel: String {
        switch self {
        case .valid: "valid"
        case .refused: "refused"
        }
    }
}

/// The `http` adapter's answer to `POST <url>/validateAccount`: `responseCode` `0000` with both infos, else the
/// vendor's code.
public struct AccountValidationWireAnswer: Codable, Sendable, Equatable {
    public var responseCode: String
    public var responseMessage: String
    public var customerInfo: CustomerInfo?
    public var accountInfo: AccountInfo?

    public init(_ outcome: AccountValidationOutcome) {
        switch outcome {
        case .valid(let customer, let account):
            (responseCode, responseMessage, customerInfo, accountInfo) = (Answer.success.code, Answer.success.message, customer, account)
        case .refused(let code, let message):
            (responseCode, responseMessage, customerInfo, accountInfo) = (code, message, nil, nil)
        }
    }

    public var outcome: AccountValidationOutcome {
        if responseCode == Answer.success.code, let customerInfo, let accountInfo { return .valid(customerInfo, accountInfo) }
        if responseCode == Answer.success.code { return .refused(Answer.vendorCommunicationError.coded) }
        return .refused(code: responseCode, message: responseMessage)
    }
}
