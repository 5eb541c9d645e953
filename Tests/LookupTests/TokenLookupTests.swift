import Testing

@Suite("GET /tokenLookup/1.0")
struct TokenLookupTests {
    @Test("the tokens of the buyer's own successful purchases, newest first; gifts received are not among them")
    func tokens() async throws {
        try await LookupHarness.with { harness in
            let buyer = "27821111111"
            let older = try await harness.addPurchase("e-1", buyer: buyer, target: "04000000001", product: 719, productType: 17,
                                                      channel: 3, token: "11112222333344445555", minutesAgo: 30)
            let giftSent = try await harness.addPurchase("v-1", buyer: buyer, target: "27822222222", product: 571, productType: 20,
                                                         channel: 7, token: "ABCDEFGHJKLMNPQR", minutesAgo: 20)
            _ = try await harness.addPurchase("gift-received", buyer: "27823333333", target: buyer, product: 571, productType: 20,
                                              token: "ZZZZZZZZZZZZZZZZ", minutesAgo: 1)
            _ = try await harness.addPurchase("no-token", buyer: buyer, product: 110, minutesAgo: 2)
            _ = try await harness.addPurchase("failed", buyer: buyer, product: 719, productType: 17, state: "failed", minutesAgo: 2)
            _ = try await harness.addPurchase("other-client", client: 201, buyer: buyer, product: 110, token: "99999999999999999999")
            try await harness.serve { client in
                func tokens(_ query: String) async throws -> [[String: Any]] {
                    let answer = try await harness.get(client, "/tokenLookup/1.0?clientId=200&sourceIdentifier=\(buyer)\(query)")
                    #expect(answer.status == .ok, "\(query)")
                    return answer.object["userTokens"] as? [[String: Any]] ?? []
                }
                #expect(try await tokens("").compactMap { $0["raasTxnRef"] as? String } == [giftSent])
                #expect(try await tokens("&limit=50").compactMap { $0["raasTxnRef"] as? String } == [giftSent, older])
                #expect(try await tokens("&limit=50&productTypeId=17").compactMap { $0["token"] as? String } == ["11112222333344445555"])
                #expect(try await tokens("&limit=50&channelId=7").compactMap { $0["token"] as? String } == ["ABCDEFGHJKLMNPQR"])
                let first = try #require(try await tokens("").first)
                #expect(first["targetIdentifier"] as? String == "27822222222" && first["productId"] as? Int == 571)
                #expect(first["description"] as? String == "Streaming voucher 30 days" && first["purchaseAmount"] as? Int == 1_000)
                #expect(first["clientId"] as? Int == 200 && first["channelId"] as? Int == 7 && first["productTypeId"] as? Int == 20)
                #expect((first["transactionDate"] as? String)?.hasSuffix("Z") == true)

                let recipient = try await harness.get(client, "/tokenLookup/1.0?clientId=200&sourceIdentifier=27822222222&limit=50")
                #expect(recipient.text == #"{"userTokens":[]}"#)
                let limit = try await harness.get(client, "/tokenLookup/1.0?clientId=200&sourceIdentifier=\(buyer)&limit=51")
                #expect(limit.status == .badRequest && limit.responseMessage == "limit :must be less than or equal to 50")
                #expect(try await harness.get(client, "/tokenLookup/1.0?clientId=201&sourceIdentifier=\(buyer)").status == .forbidden)
            }
        }
    }
}
