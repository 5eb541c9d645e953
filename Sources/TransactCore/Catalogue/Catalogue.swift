/// The catalogue that lookups serve (API.md §2, §6): products and their types, which client may sell which
/// product, countries and operators' number prefixes. A value read at one moment (`CatalogueCache` keeps it);
/// purchases never decide anything from it: they read the rows they need in the statement that writes.
public struct Catalogue: Sendable {
    public struct ProductType: Sendable, Equatable {
        public let productTypeId: Int64
        public let productTypeName: String
    }

    /// Either a fixed amount or a range with an increment, in minor units.
    public enum Pricing: Sendable, Equatable {
        case fixed(amount: Int64)
        case range(minAmount: Int64, maxAmount: Int64, increment: Int64)
    }

    public struct Product: Sendable, Equatable {
        public let productId: Int64
        public let productType: ProductType
        public let vendorId: Int64
        public let description: String
        public let shortDescription: String
        public let currencyCode: String
        public let pricing: Pricing
        public let supportsToken: Bool
        public let supportsAccountValidation: Bool
        public let active: Bool
        /// The channels it is sold on; nil for all.
        public let channels: Set<Int64>?

        public func isSold(on channelId: Int64) -> Bool { channels?.contains(channelId) ?? true }
    }

    public struct Country: Sendable, Equatable {
        public let countryCode: String
        public let countryName: String
        public let dialingPrefix: String
    }

    public struct MobileOperator: Sendable, Equatable {
        public let operatorCode: String
        public let operatorName: String
    }

    public let productTypes: [Int64: ProductType]
    public let products: [Int64: Product]
    /// Each client's products, in productId order.
    let productIdsByClient: [Int64: [Int64]]
    /// By country code.
    public let countries: [Country]
    /// By dialling prefix, each list by country code.
    let countriesByDialingPrefix: [String: [Country]]
    /// Operators by country calling code, then by number prefix (the national number's first digits).
    let operatorsByPrefix: [String: [String: MobileOperator]]
    /// The longest prefix of any operator: no longer prefix needs to be tried.
    let longestPrefix: Int

    public init(
        productTypes: [Int64: ProductType], products: [Product], clientProducts: [(clientId: Int64, productId: Int64)],
        countries: [Country], operatorPrefixes: [(countryCallingCode: String, prefix: String, operator: MobileOperator)]
    ) {
        self.productTypes = productTypes
        self.products = Dictionary(products.map { ($0.productId, $0) }, uniquingKeysWith: { first, _ in first })
        self.productIdsByClient = Dictionary(grouping: clientProducts, by: \.clientId).mapValues { $0.map(\.productId).sorted() }
        self.countries = countries.sorted { $0.countryCode < $1.countryCode }
        self.countriesByDialingPrefix = Dictionary(grouping: self.countries, by: \.dialingPrefix)
        var operators: [String: [String: MobileOperator]] = [:]
        for entry in operatorPrefixes { operators[entry.countryCallingCode, default: [:]][entry.prefix] = entry.operator }
        self.operatorsByPrefix = operators
        self.longestPrefix = operatorPrefixes.map(\.prefix.count).max() ?? 0
    }

    /// The products a client may sell, in productId order.
    public func products(of clientId: Int64) -> [Product] {
        (productIdsByClient[clientId] ?? []).compactMap { products[$0] }
    }

    /// The product when the client may sell it; nil for a product that does not exist or is another client's
    /// (the two look the same, so one client cannot learn another's catalogue).
    public func product(_ productId: Int64, of clientId: Int64) -> Product? {
        guard let ids = productIdsByClient[clientId], ids.contains(productId) else { return nil }
        return products[productId]
    }

    /// The countries whose dialling prefix is `countryCallingCode`, by country code (several share `1`).
    public func countries(dialingPrefix countryCallingCode: String) -> [Country] {
        countriesByDialingPrefix[countryCallingCode] ?? []
    }

    /// The operator of a national number: the longest matching prefix wins (API.md §6).
    public func mobileOperator(countryCallingCode: String, nationalNumber: String) -> MobileOperator? {
        guard let prefixes = operatorsByPrefix[countryCallingCode] else { return nil }
        for length in stride(from: min(longestPrefix, nationalNumber.count), through: 1, by: -1) {
            if let found = prefixes[String(nationalNumber.prefix(length))] { return found }
        }
        return nil
    }
}
