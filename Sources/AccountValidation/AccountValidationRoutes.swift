public import Hummingbird
import Observability
public import ServiceHTTP
public import TransactCore
public import Vendors

/// `POST /customerAccountValidation/2.0/validate` (API.md §6): before a bill payment or a prepaid electricity
/// purchase, the product's vendor says whether the account exists and whose it is. A product that does not offer
/// validation is 202 `4010`; an account the vendor refuses, or a vendor that cannot be asked, is 200 with the
/// vendor's code (2238/2239 when it cannot be reached). Nothing is stored.
public struct AccountValidationRoutes: Sendable {
    let catalogue: CatalogueCache
    let vendors: VendorDirectory

    public init(catalogue: CatalogueCache, vendors: VendorDirectory) {
        self.catalogue = catalogue
        self.vendors = vendors
    }

    struct Validation {
        let productId: Int64
        let purchaseAmount: Int64
        let sourceIdentifier: String
        let targetIdentifier: String
        let clientId: Int64
        let timestamp: String

        init(_ body: JSONRequestBody) throws(FormatError) {
            productId = try body.requiredInteger("productId", .digits(12))
            purchaseAmount = try body.requiredInteger("purchaseAmount", .positiveAmount)
            sourceIdentifier = try body.requiredString("sourceIdentifier", length: 1...32, alphanumeric: true)
            targetIdentifier = try body.requiredString("targetIdentifier", length: 1...32, alphanumeric: true)
            clientId = try body.requiredInteger("clientId", .digits(5))
            timestamp = try body.requiredTimestamp("timestamp", maxLength: 32).text
        }
    }

    struct ValidationAnswer: Encodable {
        let responseCode: String
        let message: [String]
        let customerInfo: CustomerInfo?
        let accountInfo: AccountInfo?
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post("customerAccountValidation/2.0/validate") { request, context -> Response in
            let validation = try await request.validatedBody { body throws(FormatError) in try Validation(body) }
            _ = try context.authorize(clientId: validation.clientId)
            guard let product = try await catalogue.catalogue().product(validation.productId, of: validation.clientId) else {
                throw APIError.productDoesNotExist(validation.productId)
            }
            guard product.supportsAccountValidation else {
                throw APIError(status: .accepted, Answer.serviceNotFound.coded)
            }
            let outcome: AccountValidationOutcome = if let vendor = try await vendors.adapter(for: product.vendorId) {
                await OutboundCall.measure(.vendor, "validateAccount", outcome: { $0.metricLabel }) {
                    await vendor.validateAccount(AccountValidationRequest(
                        productId: product.productId, productTypeId: product.productType.productTypeId,
                        amount: validation.purchaseAmount, currencyCode: product.currencyCode,
                        targetIdentifier: validation.targetIdentifier))
                }.value
            } else {
                .refused(Answer.cannotConnectToVendor.coded)
            }
            let answer = switch outcome {
            case .valid(let customer, let account):
                ValidationAnswer(
                    responseCode: Answer.success.code, message: [Answer.success.message], customerInfo: customer, accountInfo: account)
            case .refused(let code, let message):
                ValidationAnswer(responseCode: code, message: [message], customerInfo: nil, accountInfo: nil)
            }
            return JSONResponse.make(answer, status: .ok)
        }
    }
}
