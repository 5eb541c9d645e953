public import Hummingbird
public import ServiceHTTP
public import TransactCore

/// `GET /lookupCountryPrefix/1.0` (API.md §6): the countries and their dialling prefixes, all of them or the one
/// named by `countryCode` (an unknown code gives `[]`). Reference data: any authenticated caller may read it.
public struct CountryPrefixRoutes: Sendable {
    let catalogue: CatalogueCache

    public init(catalogue: CatalogueCache) {
        self.catalogue = catalogue
    }

    struct Country: Encodable {
        let countryName: String
        /// A number, like every integer the API answers with (API.md §0).
        let dialingPrefix: Int64
        let countryCode: String
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("lookupCountryPrefix/1.0") { request, context -> Response in
            _ = try context.requireClient()
            let countryCode = try request.optionalStringParameter("countryCode", length: 2...2).map { $0.uppercased() }
            if let countryCode, !countryCode.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                throw APIError.format("countryCode", "must be an ISO 3166 alpha-2 code")
            }
            let countries = try await catalogue.catalogue().countries
                .filter { countryCode == nil || $0.countryCode == countryCode }
                .map { Country(countryName: $0.countryName, dialingPrefix: Int64($0.dialingPrefix) ?? 0, countryCode: $0.countryCode) }
            return JSONResponse.make(countries, status: .ok)
        }
    }
}
