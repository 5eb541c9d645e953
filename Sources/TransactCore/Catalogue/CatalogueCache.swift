public import Postgres
import Synchronization

/// The catalogue, read whole and kept, so that product, country and operator lookups read no rows. Dropped when
/// the catalogue changes (`follow` the `catalogue_changed` notifications, which `transact seed` and the CLI cause
/// through triggers) and in any case after `ttl`, so that a notification lost while the listener reconnects delays
/// a change by at most `ttl`. Concurrent readers of an empty cache share one load.
public final class CatalogueCache: Sendable {
    /// The channel of the catalogue's change notifications (Migrations/0004_lookups.sql).
    public static let channel = "catalogue_changed"

    private struct Load {
        let task: Task<Catalogue, any Error>
        let startedAt: ContinuousClock.Instant
    }

    private let database: any PostgresQueryable
    private let ttl: Duration
    private let current = Mutex<Load?>(nil)

    public init(database: any PostgresQueryable, ttl: Duration = .seconds(30)) {
        self.database = database
        self.ttl = ttl
    }

    /// The catalogue as read at most `ttl` ago and not changed since, as far as this process has heard.
    public func catalogue() async throws -> Catalogue {
        let now = ContinuousClock.now
        let load = current.withLock { current -> Load in
            if let kept = current, now - kept.startedAt < ttl { return kept }
            let database = self.database
            let fresh = Load(task: Task { try await Self.read(from: database) }, startedAt: now)
            current = fresh
            return fresh
        }
        do {
            return try await load.task.value
        } catch {
            // A failed read is not kept: the next caller reads again.
            current.withLock { if $0?.startedAt == load.startedAt { $0 = nil } }
            throw error
        }
    }

    /// Drops what is kept: the next reader reads the catalogue again.
    public func invalidate() {
        current.withLock { $0 = nil }
    }

    /// Invalidates on every event (a change, or the listener's reconnection after which changes may have been
    /// missed) until the stream ends.
    public func follow(_ events: AsyncStream<PostgresListenerEvent>) async {
        for await _ in events { invalidate() }
    }

    static func read(from database: any PostgresQueryable) async throws -> Catalogue {
        let types = Dictionary(try await database.read(
            "SELECT product_type_id, product_type_name FROM catalogue.product_types"
        ).map { row in
            (try row.decode(Int64.self, "product_type_id"),
             Catalogue.ProductType(
                productTypeId: try row.decode(Int64.self, "product_type_id"),
                productTypeName: try row.decode(String.self, "product_type_name")))
        }, uniquingKeysWith: { first, _ in first })
        let products = try await database.read("""
            SELECT product_id, product_type_id, vendor_id, description, short_description, currency_code, fixed_amount,
                   min_amount, max_amount, amount_increment, supports_token, supports_account_validation, active, channels
            FROM catalogue.products
            """
        ).map { row in try Catalogue.Product(row: row, types: types) }
        let links = try await database.read("SELECT client_id, product_id FROM catalogue.client_products").map { row in
            (clientId: try row.decode(Int64.self, "client_id"), productId: try row.decode(Int64.self, "product_id"))
        }
        let countries = try await database.read(
            "SELECT country_code, country_name, dialing_prefix FROM catalogue.countries"
        ).map { row in
            Catalogue.Country(
                countryCode: try row.decode(String.self, "country_code"), countryName: try row.decode(String.self, "country_name"),
                dialingPrefix: try row.decode(String.self, "dialing_prefix"))
        }
        let prefixes = try await database.read(
            "SELECT country_calling_code, prefix, operator_code, operator_name FROM catalogue.mno_prefixes"
        ).map { row in
            (countryCallingCode: try row.decode(String.self, "country_calling_code"), prefix: try row.decode(String.self, "prefix"),
             operator: Catalogue.MobileOperator(
                operatorCode: try row.decode(String.self, "operator_code"),
                operatorName: try row.decode(String.self, "operator_name")))
        }
        return Catalogue(
            productTypes: types, products: products, clientProducts: links, countries: countries, operatorPrefixes: prefixes)
    }
}

extension Catalogue.Product {
    init(row: PostgresRow, types: [Int64: Catalogue.ProductType]) throws {
        let typeId = try row.decode(Int64.self, "product_type_id")
        let pricing: Catalogue.Pricing = if let fixed = try row.decode(Int64?.self, "fixed_amount") {
            .fixed(amount: fixed)
        } else {
            .range(
                minAmount: try row.decode(Int64.self, "min_amount"), maxAmount: try row.decode(Int64.self, "max_amount"),
                increment: try row.decode(Int64.self, "amount_increment"))
        }
        self.init(
            productId: try row.decode(Int64.self, "product_id"),
            // The foreign key guarantees the type; the fallback only keeps a read racing a change from failing.
            productType: types[typeId] ?? Catalogue.ProductType(productTypeId: typeId, productTypeName: ""),
            vendorId: try row.decode(Int64.self, "vendor_id"),
            description: try row.decode(String.self, "description"),
            shortDescription: try row.decode(String.self, "short_description"),
            currencyCode: try row.decode(String.self, "currency_code"),
            pricing: pricing,
            supportsToken: try row.decode(Bool.self, "supports_token"),
            supportsAccountValidation: try row.decode(Bool.self, "supports_account_validation"),
            active: try row.decode(Bool.self, "active"),
            channels: try row.decode([Int64]?.self, "channels").map(Set.init))
    }
}
