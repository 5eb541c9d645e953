import Foundation
public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore

/// `GET /financial-terms/1.0` (API.md §6): what a purchase of `purchaseAmount` would cost and pay out.
public struct FinancialTermsRoutes: Sendable {
    let store: FinancialTermsStore

    public init(database: PostgresClient) {
        self.store = FinancialTermsStore(database: database)
    }

    struct Answer: Encodable {
        struct Breakdown: Encodable {
            let reserveAmount: Int64
            let vendAmount: Int64
            let feeAmount: Int64
            let clientShareAmount: Int64
            let vendorShareAmount: Int64
            let settlementAmount: Int64
        }

        let clientId: Int64
        let productId: Int64
        let currencyCode: String
        let purchaseAmount: Int64
        let lookupReference: String
        let breakdown: Breakdown
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("financial-terms/1.0") { request, context in
            let clientId = try request.integerParameter("clientId", .digits(5))
            let productId = try request.integerParameter("productId", .digits(12))
            let purchaseAmount = try request.integerParameter("purchaseAmount", .digits(12))
            guard purchaseAmount > 0 else { throw APIError.format("purchaseAmount", "must be greater than 0") }
            _ = try context.authorize(clientId: clientId)
            guard let (currencyCode, terms) = try await store.quote(clientId: clientId, productId: productId) else {
                throw APIError.productDoesNotExist(productId)
            }
            let breakdown = try FinancialBreakdown(purchaseAmount: purchaseAmount, terms: terms)
            return JSONResponse.make(
                Answer(
                    clientId: clientId, productId: productId, currencyCode: currencyCode, purchaseAmount: purchaseAmount,
                    lookupReference: UUID().uuidString.lowercased(),
                    breakdown: .init(
                        reserveAmount: breakdown.reserveAmount, vendAmount: breakdown.vendAmount,
                        feeAmount: breakdown.feeAmount, clientShareAmount: breakdown.clientShareAmount,
                        vendorShareAmount: breakdown.vendorShareAmount, settlementAmount: breakdown.settlementAmount)),
                status: .ok)
        }
    }
}
