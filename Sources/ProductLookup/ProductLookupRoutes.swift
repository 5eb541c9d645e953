public import Hummingbird
public import ServiceHTTP
public import TransactCore

/// `GET /productLookup/2.0` (API.md §6): the client's products, from the cached catalogue. Only the client's own
/// products exist for it: another client's product is "Product ID <id> does not exist", like one that does not
/// exist at all. Inactive products are listed only with `includeInactive=true`; no product left after the
/// filters is 204.
public struct ProductLookupRoutes: Sendable {
    let catalogue: CatalogueCache

    public init(catalogue: CatalogueCache) {
        self.catalogue = catalogue
    }

    struct Filters {
        let clientId: Int64
        let productId: Int64?
        let productTypeId: Int64?
        let includeInactive: Bool
        let channelId: Int64?
        let vendorId: Int64?

        init(_ request: Request) throws {
            clientId = try request.integerParameter("clientId", .digits(5))
            productId = try request.optionalIntegerParameter("productId", .digits(12))
            productTypeId = try request.optionalIntegerParameter("productTypeId", .digits(9))
            includeInactive = try request.optionalBooleanParameter("includeInactive") ?? false
            channelId = try request.optionalIntegerParameter("channelId", .channelId)
            vendorId = try request.optionalIntegerParameter("vendorId", .digits(12))
        }

        func admits(_ product: Catalogue.Product) -> Bool {
            (productId.map { $0 == product.productId } ?? true)
                && (productTypeId.map { $0 == product.productType.productTypeId } ?? true)
                && (includeInactive || product.active)
                && (channelId.map(product.isSold(on:)) ?? true)
                && (vendorId.map { $0 == product.vendorId } ?? true)
        }
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("productLookup/2.0") { request, context -> Response in
            let filters = try Filters(request)
            _ = try context.authorize(clientId: filters.clientId, allowing: [.support])
            let catalogue = try await catalogue.catalogue()
            if let productId = filters.productId, catalogue.product(productId, of: filters.clientId) == nil {
                throw APIError.productDoesNotExist(productId)
            }
            if let productTypeId = filters.productTypeId, catalogue.productTypes[productTypeId] == nil {
                throw APIError(status: .badRequest, Answer.productTypeIdDoesNotExist.coded)
            }
            let products = catalogue.products(of: filters.clientId).filter(filters.admits)
            guard !products.isEmpty else { return Response(status: .noContent) }
            return JSONResponse.make(products.map { ["publicProduct": PublicProduct($0)] }, status: .ok)
        }
    }
}
