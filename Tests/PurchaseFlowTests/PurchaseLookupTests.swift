import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The lookups read what a real purchase wrote: the bank's reserveFundsTxnRef, the vendor's token, the breakdown.
@Suite("Lookups after a purchase")
struct PurchaseLookupTests {
    func get(_ harness: PurchaseHarness, _ path: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: harness.service + path)
        request.headers.add(name: "Authorization", value: "Bearer " + harness.token)
        request.headers.add(name: "X-API-Key", value: "demo-api-key-change-me")
        let response = try await harness.http.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok, "\(path)")
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        return json as? [String: Any] ?? ["array": json]
    }

    @Test("Transaction, User Transaction and Token Lookup show an electricity purchase as the bank and vendor left it")
    func electricity() async throws {
        try await PurchaseHarness.with { harness in
            let reply = try await harness.reserveAndTransact([
                "productId": 719, "purchaseAmount": 10_000, "feeAmount": 200, "targetIdentifier": "04000123456",
                "sourceIdentifier": "27831115555",
            ])
            let reference = try #require(reply.raasTxnRef, "\(reply.text)")
            let settled = try await harness.waitFor(reference)
            let token = try #require(settled.token)

            let transaction = try await get(harness, "/lookup-api/2.0?clientId=200&raasTxnRef=\(reference)")
            #expect(transaction["transactionStatus"] as? String == "SUCCESS" && transaction["token"] as? String == token)
            #expect(transaction["transactResultResponseCode"] as? String == "0000")
            #expect(transaction["reserveFundsResponseCode"] as? String == "0000")
            let bankReference = try #require(transaction["reserveFundsTxnRef"] as? String)
            #expect(transaction["reserveAmount"] as? Int == 10_200 && transaction["feeAmount"] as? Int == 200)
            #expect(transaction["vendAmount"] as? Int == 10_000 && transaction["settlementAmount"] as? Int == 10_047)
            #expect(transaction["clientShareAmount"] as? Int == 153 && transaction["amount"] as? Int == 10_000)
            let byBank = try await get(harness, "/lookup-api/2.0?clientId=200&reserveFundsTxnRef=\(bankReference)")
            #expect(byBank["raasTxnRef"] as? String == reference)

            let tokens = try await get(harness, "/tokenLookup/1.0?clientId=200&sourceIdentifier=27831115555")
            let found = try #require((tokens["userTokens"] as? [[String: Any]])?.first)
            #expect(found["token"] as? String == token && found["raasTxnRef"] as? String == reference)
            #expect(found["description"] as? String == "City Power Prepaid Electricity")

            let purchases = try await get(harness, "/userTransactions/1.0?clientId=200&sourceIdentifier=27831115555")
            let latest = try #require((purchases["array"] as? [[String: Any]])?.first)
            #expect(latest["raasTxnRef"] as? String == reference && latest["productTypeId"] as? Int == 17)
            #expect(latest["targetIdentifier"] as? String == "04000123456")
        }
    }
}
