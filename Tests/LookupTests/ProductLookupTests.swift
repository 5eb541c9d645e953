import Foundation
import Postgres
import TestSupport
import Testing
import TransactCore

@Suite("GET /productLookup/2.0 and the catalogue cache")
struct ProductLookupTests {
    @Test("the client's products with their pricing; filters; 204 when none; 400 for an unknown product or type")
    func products() async throws {
        try await LookupHarness.with { harness in
            try await harness.db.query("UPDATE catalogue.products SET active = false, channels = '{3}' WHERE product_id = 120")
            try await harness.db.query("UPDATE catalogue.products SET channels = '{3,7}' WHERE product_id = 571")
            try await harness.serve { client in
                func ids(_ query: String) async throws -> [Int] {
                    let answer = try await harness.get(client, "/productLookup/2.0?clientId=200\(query)")
                    #expect(answer.status == .ok, "\(query)")
                    return answer.array.compactMap { ($0["publicProduct"] as? [String: Any])?["id"] as? Int }
                }
                #expect(try await ids("") == [110, 571, 719])
                #expect(try await ids("&includeInactive=true") == [110, 120, 571, 719])
                #expect(try await ids("&productTypeId=17") == [719])
                #expect(try await ids("&vendorId=200") == [571, 719])
                #expect(try await ids("&channelId=7") == [110, 571, 719])
                #expect(try await ids("&channelId=3&includeInactive=true") == [110, 120, 571, 719])
                #expect(try await ids("&productId=719") == [719])

                let all = try await harness.get(client, "/productLookup/2.0?clientId=200&includeInactive=true").array
                let products = all.compactMap { $0["publicProduct"] as? [String: Any] }
                let airtime = try #require(products.first { $0["id"] as? Int == 110 })
                #expect(airtime["pricing"] as? [String: Int] == ["minAmount": 500, "maxAmount": 100_000, "increment": 100])
                #expect(airtime["productTypeName"] as? String == "Airtime" && airtime["description"] as? String == "MTN Airtime")
                #expect(airtime["shortDescription"] as? String == "Airtime" && airtime["vendorId"] as? Int == 100)
                #expect(airtime["currencyCode"] as? String == "ZAR" && airtime["supportsToken"] as? Bool == false)
                let data = try #require(products.first { $0["id"] as? Int == 120 })
                #expect(data["pricing"] as? [String: Int] == ["fixedAmount": 9_900] && data["active"] as? Bool == false)

                let none = try await harness.get(client, "/productLookup/2.0?clientId=200&productId=120")
                #expect(none.status == .noContent)
                let other = try await harness.get(client, "/productLookup/2.0?clientId=200&productTypeId=18")
                #expect(other.status == .noContent)
                for (query, message) in [("&productId=999", "Product ID 999 does not exist"), ("&productTypeId=99", "Product type ID does not exist"),
                                         ("&includeInactive=yes", "includeInactive :must be true or false")] {
                    let answer = try await harness.get(client, "/productLookup/2.0?clientId=200\(query)")
                    #expect(answer.status == .badRequest && answer.responseCode == "4000" && answer.responseMessage == message, "\(query)")
                }
                #expect(try await harness.get(client, "/productLookup/2.0?clientId=201").status == .forbidden)
            }
        }
    }

    @Test("a client with no products gets 204; another client's product does not exist for it")
    func anotherClient() async throws {
        try await LookupHarness.with { harness in
            try await harness.db.query("DELETE FROM catalogue.client_products WHERE client_id = 200 AND product_id <> 110")
            try await harness.db.query("UPDATE catalogue.products SET active = false WHERE product_id = 110")
            try await harness.serve { client in
                #expect(try await harness.get(client, "/productLookup/2.0?clientId=200").status == .noContent)
                let answer = try await harness.get(client, "/productLookup/2.0?clientId=200&productId=719")
                #expect(answer.status == .badRequest && answer.responseMessage == "Product ID 719 does not exist")
            }
        }
    }

    @Test("transact seed's change reaches a cache that would otherwise keep its catalogue for an hour")
    func invalidatedBySeed() async throws {
        try await LookupHarness.with(catalogueCacheTTL: .seconds(3_600)) { harness in
            let listener = PostgresListener(configuration: harness.database.configuration())
            let following = Task { await harness.dependencies.catalogue.follow(listener.events(channel: CatalogueCache.channel)) }
            defer { following.cancel() }
            try await Task.sleep(for: .milliseconds(500))  // the listener's LISTEN is in place
            try await harness.serve { client in
                func description() async throws -> String? {
                    let answer = try await harness.get(client, "/productLookup/2.0?clientId=200&productId=110")
                    return (answer.array.first?["publicProduct"] as? [String: Any])?["description"] as? String
                }
                #expect(try await description() == "MTN Airtime")
                let changed = try String(contentsOfFile: LookupHarness.demoSeed, encoding: .utf8)
                    .replacingOccurrences(of: "description: MTN Airtime,", with: "description: MTN Airtime Plus,")
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("changed-\(UUID().uuidString).yaml")
                try changed.write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }
                try await LookupHarness.seed(harness.db, file: file.path)
                var seen: String?
                for _ in 0..<50 {
                    seen = try await description()
                    if seen == "MTN Airtime Plus" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(seen == "MTN Airtime Plus")
            }
            await listener.shutdown()
        }
    }

    @Test("without a notification, a change shows once the cache's lifetime has passed")
    func expires() async throws {
        try await LookupHarness.with(catalogueCacheTTL: .milliseconds(200)) { harness in
            let cache = harness.dependencies.catalogue
            #expect(try await cache.catalogue().products[110]?.description == "MTN Airtime")
            try await harness.db.query("UPDATE catalogue.products SET description = 'Changed' WHERE product_id = 110")
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await cache.catalogue().products[110]?.description == "Changed")
        }
    }
}
