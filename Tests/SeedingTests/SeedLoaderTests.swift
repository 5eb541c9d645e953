import Foundation
import Ledger
import Postgres
import SecurityService
import Seeding
import TestSupport
import Testing
import TransactCrypto

@Suite("transact seed: every section, idempotent, all or nothing")
struct SeedLoaderTests {
    static let demoSeed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/demo-seed.yaml").path
    static let masterKey = MasterKey(hex: String(repeating: "5a", count: 32))!
    /// Cheap scrypt for tests; production uses `.interactive`.
    static let fastHashing = Scrypt(logN: 8, blockSize: 8, parallelism: 1)

    func loader(_ db: PostgresClient) -> SeedLoader {
        SeedLoader(database: db, sealer: SecretSealer(masterKey: Self.masterKey), secretHashing: Self.fastHashing)
    }

    func count(_ table: String, _ db: PostgresClient) async throws -> Int {
        try await db.query("SELECT count(*) AS n FROM \(unescaped: table)").single().decode(Int.self, "n")
    }

    @Test("the demo seed loads every section, and loading it again changes nothing")
    func demoSeed() async throws {
        try await TestDatabase.with { db, _ in
            let document = try SeedReader.read(fileAt: Self.demoSeed)
            let generated = try await loader(db).load(document, file: "demo-seed.yaml")
            #expect(generated.isEmpty)
            let expected = [
                ("catalogue.countries", 2), ("catalogue.mno_prefixes", 4), ("catalogue.product_types", 5),
                ("catalogue.vendors", 2), ("catalogue.products", 4), ("catalogue.funding_sources", 1),
                ("catalogue.clients", 3), ("catalogue.client_products", 4), ("catalogue.client_funding_sources", 1),
                ("catalogue.financial_terms", 4), ("catalogue.blacklist", 1),
            ]
            for (table, rows) in expected { #expect(try await count(table, db) == rows, "\(table)") }

            let client = try await db.query("""
                SELECT secret_hash, api_key_hash, secret_rotated_at, role, vendor_id, message_prices::text AS prices
                FROM catalogue.clients WHERE client_id = 200
                """).single()
            #expect(ClientSecretHash.verify(secret: "demo-secret-change-me", against: try client.decode(String.self, "secret_hash")))
            #expect(!ClientSecretHash.verify(secret: "demo-secret-change-mE", against: try client.decode(String.self, "secret_hash")))
            #expect(try client.decode(String.self, "api_key_hash") == APIKey.hash("demo-api-key-change-me"))
            let rotatedAt = try client.decode(Date.self, "secret_rotated_at")
            let vendorUser = try await db.query("SELECT vendor_id FROM catalogue.clients WHERE client_id = 9100").single()
            #expect(try vendorUser.decode(Int64.self, "vendor_id") == 100)
            let product = try await db.query("""
                SELECT min_amount, max_amount, amount_increment, fixed_amount, supports_token FROM catalogue.products
                WHERE product_id = 719
                """).single()
            #expect(try product.decode(Int64.self, "min_amount") == 2_000)
            #expect(try product.decode(Int64?.self, "fixed_amount") == nil)
            #expect(try product.decode(Bool.self, "supports_token"))

            let ledger = Ledger()
            let float = try #require(try await ledger.balance(of: "vendor:100:float:ZAR", on: db))
            #expect(float.postedMinor == 100_000_000_000)
            let credit = try #require(try await ledger.balance(of: "client:200:messaging-credit:ZAR", on: db))
            #expect(credit.availableMinor == 1_000_000)

            // Again: same rows, same balances, the secret not rotated.
            _ = try await loader(db).load(document, file: "demo-seed.yaml")
            for (table, rows) in expected { #expect(try await count(table, db) == rows, "\(table) after reload") }
            let again = try await db.query("SELECT secret_rotated_at FROM catalogue.clients WHERE client_id = 200").single()
            #expect(try again.decode(Date.self, "secret_rotated_at") == rotatedAt)
            #expect(try #require(try await ledger.balance(of: "vendor:100:float:ZAR", on: db)).postedMinor == 100_000_000_000)
            #expect(try await count("ledger.transfers", db) == 3)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("secrets: a changed secret rotates, a missing one is generated once, Signature secrets are sealed")
    func secrets() async throws {
        try await TestDatabase.with { db, _ in
            let yaml = """
                clients:
                  - { clientId: 300, name: Bank, role: client, clientSecret: first-secret, signatureRequired: true,
                      signatureSecret: "0123456789abcdef0123456789abcdef" }
                  - { clientId: 301, name: Generated, role: support }
                """
            let generated = try await loader(db).load(try SeedReader.read(text: yaml, file: "t.yaml"), file: "t.yaml")
            // 300 gave a secret but no API key; 301 gave neither.
            #expect(generated.map(\.clientId) == [300, 301])
            #expect(generated[0].clientSecret == nil && generated[0].apiKey != nil)
            let credentials = generated[1]
            let secret = try #require(credentials.clientSecret)
            let key = try #require(credentials.apiKey)
            let stored = try await db.query("""
                SELECT secret_hash, api_key_hash FROM catalogue.clients WHERE client_id = 301
                """).single()
            #expect(ClientSecretHash.verify(secret: secret, against: try stored.decode(String.self, "secret_hash")))
            #expect(try stored.decode(String.self, "api_key_hash") == APIKey.hash(key))
            // Nothing in the database holds a secret in clear.
            let dump = try await db.query("SELECT row_to_json(c)::text AS row FROM catalogue.clients c").map {
                try $0.decode(String.self, "row")
            }.joined()
            for clear in ["first-secret", secret, key, "0123456789abcdef0123456789abcdef"] { #expect(!dump.contains(clear)) }
            let sealed = try await db.query("SELECT signature_secret_sealed FROM catalogue.clients WHERE client_id = 300")
                .single().decode(String.self, "signature_secret_sealed")
            let sealer = SecretSealer(masterKey: Self.masterKey)
            #expect(String(decoding: try sealer.open(sealed, purpose: "client:300:signature"), as: UTF8.self)
                == "0123456789abcdef0123456789abcdef")
            #expect(throws: CryptoError.self) { try sealer.open(sealed, purpose: "client:301:signature") }

            let before = try await db.query("SELECT secret_rotated_at FROM catalogue.clients WHERE client_id = 300").single()
                .decode(Date.self, "secret_rotated_at")
            // Reloading without credentials for 301 keeps them; a new secret for 300 rotates.
            let changed = yaml.replacingOccurrences(of: "first-secret", with: "second-secret")
            let regenerated = try await loader(db).load(try SeedReader.read(text: changed, file: "t.yaml"), file: "t.yaml")
            #expect(regenerated.isEmpty)
            let after = try await db.query("SELECT secret_rotated_at, secret_hash FROM catalogue.clients WHERE client_id = 300")
                .single()
            #expect(try after.decode(Date.self, "secret_rotated_at") > before)
            #expect(ClientSecretHash.verify(secret: "second-secret", against: try after.decode(String.self, "secret_hash")))
            let still = try await db.query("SELECT secret_hash FROM catalogue.clients WHERE client_id = 301").single()
            #expect(ClientSecretHash.verify(secret: secret, against: try still.decode(String.self, "secret_hash")))
        }
    }

    @Test("bad input is refused naming file, entry and field", arguments: [
        ("clients:\n  - { clientId: 1, name: A, role: client, rateLimitPerSecnd: 5 }\n",
         "t.yaml: clients[0] (clientId 1): rateLimitPerSecnd: is not a known key here"),
        ("clients:\n  - { clientId: 1, name: A, role: banker }\n",
         "t.yaml: clients[0] (clientId 1): role: must be one of client, vendor, support, admin"),
        ("products:\n  - { productId: 5, productTypeId: 3, vendorId: 1, description: D, shortDescription: S, currencyCode: ZAR, targetIdentifierKind: msisdn }\n",
         "t.yaml: products[0] (productId 5): fixedAmount: give either fixedAmount, or minAmount ≤ maxAmount with increment"),
        ("countries:\n  - { countryCode: ZAF, countryName: South Africa, dialingPrefix: 27 }\n",
         "t.yaml: countries[0] (countryCode ZAF): countryCode: must be 1 to 2 characters"),
        ("financialTerms:\n  - { clientId: 1, productId: 2, feeBps: 10001 }\n",
         "t.yaml: financialTerms[0] (productId 2): feeBps: must be a whole number from 0 to 10000"),
        ("vendors:\n  - { vendorId: 1, name: V, adapter: http }\n", "t.yaml: vendors[0] (vendorId 1): url: is required for the http adapter"),
        ("blacklist:\n  - { sourceIdentifier: \"27 83\" }\n",
         "t.yaml: blacklist[0] (sourceIdentifier 27 83): sourceIdentifier: '27 83' does not match ^[A-Za-z0-9]{1,32}$"),
        ("clientz: []\n", "t.yaml: clientz: is not a known key here"),
        ("clients: [1, 2]\n", "t.yaml: clients[0]: must be a mapping of keys to values"),
        ("{ not yaml", ""),
    ])
    func refusals(yaml: String, message: String) {
        do {
            _ = try SeedReader.read(text: yaml, file: "t.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            if message.isEmpty {
                #expect(error.description.hasPrefix("t.yaml: is not valid YAML"))
            } else {
                #expect(error.description == message)
            }
        }
    }

    @Test("a refusal by the database loads nothing and names the entry")
    func allOrNothing() async throws {
        try await TestDatabase.with { db, _ in
            let yaml = """
                productTypes: [{ productTypeId: 3, productTypeName: Airtime }]
                vendors: [{ vendorId: 1, name: V, adapter: simulated, floatAccount: { currencyCode: ZAR, openingBalance: 500 } }]
                products:
                  - { productId: 10, productTypeId: 3, vendorId: 1, description: D, shortDescription: S, currencyCode: ZAR,
                      fixedAmount: 100, targetIdentifierKind: msisdn }
                  - { productId: 11, productTypeId: 3, vendorId: 2, description: D, shortDescription: S, currencyCode: ZAR,
                      fixedAmount: 100, targetIdentifierKind: msisdn }
                """
            await #expect {
                try await loader(db).load(try SeedReader.read(text: yaml, file: "t.yaml"), file: "t.yaml")
            } throws: { error in
                let seedError = error as? SeedError
                return seedError?.entry == "products[1] (productId 11)" && seedError?.reason.contains("vendor_id") == true
            }
            for table in ["catalogue.product_types", "catalogue.vendors", "catalogue.products", "ledger.transfers", "ledger.accounts"] {
                #expect(try await count(table, db) == 0, "\(table)")
            }

            // An opening balance cannot change once booked.
            let valid = yaml.components(separatedBy: "\n  - { productId: 11")[0]
            _ = try await loader(db).load(try SeedReader.read(text: valid, file: "t.yaml"), file: "t.yaml")
            let changed = valid.replacingOccurrences(of: "openingBalance: 500", with: "openingBalance: 600")
            await #expect {
                try await loader(db).load(try SeedReader.read(text: changed, file: "t.yaml"), file: "t.yaml")
            } throws: { error in
                (error as? SeedError)?.field == "floatAccount.openingBalance"
            }
        }
    }

    @Test("the same shape as JSON is accepted")
    func json() throws {
        let document = try SeedReader.read(
            text: #"{"countries":[{"countryCode":"NG","countryName":"Nigeria","dialingPrefix":"234"}],"blacklist":[{"sourceIdentifier":"1"}]}"#,
            file: "t.json")
        #expect(document.countries.first?.dialingPrefix == "234")
        #expect(document.blacklist == ["1"])
    }
}
