import Testing

@Suite("GET /userTransactions/1.0")
struct UserTransactionLookupTests {
    @Test("successful purchases only; the single latest without filters; the latest per product with them")
    func latest() async throws {
        try await LookupHarness.with { harness in
            let buyer = "27821111111"
            _ = try await harness.addPurchase("a-old", buyer: buyer, product: 110, channel: 3, minutesAgo: 50)
            let airtime = try await harness.addPurchase("a-new", buyer: buyer, product: 110, channel: 7, minutesAgo: 40)
            let data = try await harness.addPurchase("d-1", buyer: buyer, product: 120, productType: 4, channel: 3, minutesAgo: 30)
            let voucher = try await harness.addPurchase("v-1", buyer: buyer, product: 571, productType: 20, channel: 3, minutesAgo: 20)
            _ = try await harness.addPurchase("failed", buyer: buyer, product: 719, productType: 17, state: "failed", minutesAgo: 1)
            _ = try await harness.addPurchase("pending", buyer: buyer, product: 719, productType: 17, state: "vending", minutesAgo: 1)
            _ = try await harness.addPurchase("someone-else", buyer: "27829999999", target: buyer, product: 719, productType: 17)
            _ = try await harness.addPurchase("other-client", client: 201, buyer: buyer, product: 110)
            try await harness.serve { client in
                func refs(_ query: String) async throws -> [String] {
                    let answer = try await harness.get(client, "/userTransactions/1.0?clientId=200&sourceIdentifier=\(buyer)\(query)")
                    #expect(answer.status == .ok, "\(query)")
                    return answer.array.compactMap { $0["raasTxnRef"] as? String }
                }
                #expect(try await refs("") == [voucher])
                #expect(try await refs("&limit=10") == [voucher, data, airtime])
                #expect(try await refs("&limit=2") == [voucher, data])
                #expect(try await refs("&productId=110") == [airtime])
                #expect(try await refs("&productTypeId=4") == [data])
                // The latest airtime purchase on channel 3 is the older one.
                #expect(try await refs("&channelId=3").count == 3)
                #expect(try await refs("&channelId=3&productId=110").count == 1)
                #expect(try await refs("&channelId=7") == [airtime])

                let answer = try await harness.get(client, "/userTransactions/1.0?clientId=200&sourceIdentifier=\(buyer)")
                let first = try #require(answer.array.first)
                #expect(first["description"] as? String == "Streaming voucher 30 days" && first["productTypeId"] as? Int == 20)
                #expect(first["channelId"] as? Int == 3 && first["clientId"] as? Int == 200 && first["purchaseAmount"] as? Int == 1_000)
                #expect(first["targetIdentifier"] as? String == buyer && (first["transactionDate"] as? String)?.hasSuffix("Z") == true)

                let nobody = try await harness.get(client, "/userTransactions/1.0?clientId=200&sourceIdentifier=27820000001")
                #expect(nobody.status == .ok && nobody.text == "[]")
            }
        }
    }

    @Test("parameter rules: 400 naming the field; another clientId is 403")
    func rules() async throws {
        try await LookupHarness.with { harness in
            try await harness.serve { client in
                for (query, message) in [
                    ("clientId=200", "sourceIdentifier :may not be null"),
                    ("clientId=200&sourceIdentifier=1&limit=101", "limit :must be less than or equal to 100"),
                    ("clientId=200&sourceIdentifier=1&limit=0", "limit :must be greater than 0"),
                    ("clientId=200&sourceIdentifier=1&channelId=100", "channelId :must be less than or equal to 99"),
                    ("clientId=200&sourceIdentifier=1&productId=x", "Transaction request not valid"),
                ] {
                    let answer = try await harness.get(client, "/userTransactions/1.0?\(query)")
                    #expect(answer.status == .badRequest && answer.responseMessage == message, "\(query)")
                }
                #expect(try await harness.get(client, "/userTransactions/1.0?clientId=201&sourceIdentifier=1").status == .forbidden)
            }
        }
    }
}
