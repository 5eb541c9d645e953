public import TransactCore
public import Postgres

/// What the business checks of a purchase need from the catalogue (API.md §3.1), read in one round trip: the
/// product as this client may buy it, the client's current terms, whether the buyer is blacklisted and the funding
/// source the purchase is paid from.
public struct PurchaseContext: Sendable, Equatable {
    /// A product linked to the client.
    public struct Product: Sendable, Equatable {
        public let productId: Int64
        public let productTypeId: Int64
        public let productTypeName: String
        public let vendorId: Int64
        public let currencyCode: String
        public let pricing: Pricing
        /// `msisdn` or `account`: what `targetIdentifier` must be.
        public let targetIdentifierKind: String
        public let supportsToken: Bool
        /// The product and its vendor are both active.
        public let active: Bool
        /// Channels the product is sold on; nil for all.
        public let channels: [Int64]?
        /// The vendor has a prepaid float in the product's currency to vend from.
        public let vendorHasFloat: Bool

        public init(
            productId: Int64, productTypeId: Int64, productTypeName: String, vendorId: Int64, currencyCode: String,
            pricing: Pricing, targetIdentifierKind: String, supportsToken: Bool, active: Bool, channels: [Int64]?,
            vendorHasFloat: Bool
        ) {
            self.productId = productId
            self.productTypeId = productTypeId
            self.productTypeName = productTypeName
            self.vendorId = vendorId
            self.currencyCode = currencyCode
            self.pricing = pricing
            self.targetIdentifierKind = targetIdentifierKind
            self.supportsToken = supportsToken
            self.active = active
            self.channels = channels
            self.vendorHasFloat = vendorHasFloat
        }

        /// The kind of token a token product returns (decided here, as data rather than by product type): a token
        /// for an account (a meter) is a 20-digit number, one sent to a phone a 16-character voucher PIN.
        public var tokenKind: String? {
            guard supportsToken else { return nil }
            return targetIdentifierKind == "account" ? "numeric20" : "voucherPIN16"
        }
    }

    public enum Pricing: Sendable, Equatable {
        case fixed(Int64)
        case range(min: Int64, max: Int64, increment: Int64)
    }

    /// nil when the product does not exist or is not linked to the client (the two look the same).
    public let product: Product?
    public let terms: FeeSchedule
    public let buyerBlacklisted: Bool
    /// The request's funding source when it is the client's; for a version without `fundingSourceId`, the client's
    /// default (seed `defaultFundingSourceId`), else its only one (API.md §3.2a). nil: none of these.
    public let fundingSourceId: Int64?

    public init(product: Product?, terms: FeeSchedule, buyerBlacklisted: Bool, fundingSourceId: Int64?) {
        self.product = product
        self.terms = terms
        self.buyerBlacklisted = buyerBlacklisted
        self.fundingSourceId = fundingSourceId
    }

    /// Reads the context of `request` from the catalogue.
    public static func load(for request: PurchaseRequest, from database: any PostgresQueryable) async throws -> PurchaseContext {
        let row = try await database.query("""
            SELECT p.product_id, p.product_type_id, pt.product_type_name, p.vendor_id, p.currency_code, p.fixed_amount,
                   p.min_amount, p.max_amount, p.amount_increment, p.target_identifier_kind, p.supports_token,
                   p.active AND v.active AS active, p.channels,
                   EXISTS (SELECT 1 FROM ledger.accounts a
                           WHERE a.code = 'vendor:' || p.vendor_id || ':float:' || p.currency_code) AS vendor_has_float,
                   t.fee_fixed, t.fee_bps, t.fee_min, t.fee_max, t.client_share_bps, t.vendor_share_bps,
                   EXISTS (SELECT 1 FROM catalogue.blacklist b
                           WHERE b.source_identifier = \(request.sourceIdentifier)) AS buyer_blacklisted,
                   (SELECT f.funding_source_id FROM catalogue.client_funding_sources f
                    WHERE f.client_id = \(request.clientId)
                      AND f.funding_source_id = coalesce(
                          \(request.fundingSourceId),
                          (SELECT c.default_funding_source_id FROM catalogue.clients c WHERE c.client_id = \(request.clientId)),
                          (SELECT min(g.funding_source_id) FROM catalogue.client_funding_sources g
                           WHERE g.client_id = \(request.clientId) HAVING count(*) = 1))) AS funding_source_id
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN (catalogue.products p
                       JOIN catalogue.client_products cp ON cp.product_id = p.product_id AND cp.client_id = \(request.clientId)
                       JOIN catalogue.product_types pt ON pt.product_type_id = p.product_type_id
                       JOIN catalogue.vendors v ON v.vendor_id = p.vendor_id)
                ON p.product_id = \(request.productId)
            LEFT JOIN LATERAL catalogue.current_terms(\(request.clientId), p.product_id) t ON true
            """).single()
        var product: Product?
        if let productId = try row.decode(Int64?.self, "product_id") {
            let pricing: Pricing
            if let fixed = try row.decode(Int64?.self, "fixed_amount") {
                pricing = .fixed(fixed)
            } else {
                pricing = .range(
                    min: try row.decode(Int64.self, "min_amount"), max: try row.decode(Int64.self, "max_amount"),
                    increment: try row.decode(Int64.self, "amount_increment"))
            }
            product = Product(
                productId: productId, productTypeId: try row.decode(Int64.self, "product_type_id"),
                productTypeName: try row.decode(String.self, "product_type_name"),
                vendorId: try row.decode(Int64.self, "vendor_id"), currencyCode: try row.decode(String.self, "currency_code"),
                pricing: pricing, targetIdentifierKind: try row.decode(String.self, "target_identifier_kind"),
                supportsToken: try row.decode(Bool.self, "supports_token"), active: try row.decode(Bool.self, "active"),
                channels: try row.decode([Int64]?.self, "channels"),
                vendorHasFloat: try row.decode(Bool.self, "vendor_has_float"))
        }
        return PurchaseContext(
            product: product, terms: try FeeSchedule(row: row),
            buyerBlacklisted: try row.decode(Bool.self, "buyer_blacklisted"),
            fundingSourceId: try row.decode(Int64?.self, "funding_source_id"))
    }
}
