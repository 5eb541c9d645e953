import TransactCore

/// A product as clients see it (API.md §6). `pricing` has the seed file's keys (decided here): `{"fixedAmount"}`
/// for a fixed price, `{"minAmount", "maxAmount", "increment"}` for a range, in minor units.
struct PublicProduct: Encodable {
    struct Pricing: Encodable {
        let fixedAmount: Int64?
        let minAmount: Int64?
        let maxAmount: Int64?
        let increment: Int64?
    }

    let id: Int64
    let productTypeId: Int64
    let productTypeName: String
    let description: String
    let shortDescription: String
    let vendorId: Int64
    let currencyCode: String
    let pricing: Pricing
    let supportsToken: Bool
    let active: Bool

    init(_ product: Catalogue.Product) {
        id = product.productId
        productTypeId = product.productType.productTypeId
        productTypeName = product.productType.productTypeName
        description = product.description
        shortDescription = product.shortDescription
        vendorId = product.vendorId
        currencyCode = product.currencyCode
        pricing = switch product.pricing {
        case .fixed(let amount): Pricing(fixedAmount: amount, minAmount: nil, maxAmount: nil, increment: nil)
        case .range(let minAmount, let maxAmount, let increment):
            Pricing(fixedAmount: nil, minAmount: minAmount, maxAmount: maxAmount, increment: increment)
        }
        supportsToken = product.supportsToken
        active = product.active
    }
}
