import Testing

@Suite("POST /in-flight-transaction-check/1.0")
struct InFlightCheckTests {
    static func body(client: Int = 200, source: String = "27821111111", target: String = "27822222222", product: Int = 110, amount: Int = 1_000) -> String {
        #"{"clientId":\#(client),"sourceIdentifier":"\#(source)","targetIdentifier":"\#(target)","productId":\#(product),"purchaseAmount":"\#(amount)"}"#
    }

    @Test("lists the client's non-final transactions that match all five fields, and only those")
    func matches() async throws {
        try await LookupHarness.with { harness in
            let pending = try await harness.addPurchase("p-1", buyer: "27821111111", target: "27822222222", state: "vending")
            let reserving = try await harness.addPurchase("p-2", buyer: "27821111111", target: "27822222222", state: "reserving")
            _ = try await harness.addPurchase("done", buyer: "27821111111", target: "27822222222", state: "success")
            _ = try await harness.addPurchase("failed", buyer: "27821111111", target: "27822222222", state: "failed")
            _ = try await harness.addPurchase("other-amount", buyer: "27821111111", target: "27822222222", amount: 2_000, state: "vending")
            _ = try await harness.addPurchase("other-target", buyer: "27821111111", target: "27823333333", state: "vending")
            _ = try await harness.addPurchase("other-product", buyer: "27821111111", target: "27822222222", product: 120, state: "vending")
            _ = try await harness.addPurchase("other-client", client: 201, buyer: "27821111111", target: "27822222222", state: "vending")
            try await harness.serve { client in
                let answer = try await harness.post(client, "/in-flight-transaction-check/1.0", Self.body())
                #expect(answer.status == .ok)
                #expect(answer.object["hasPendingTransactions"] as? Bool == true)
                let listed = (answer.object["transactions"] as? [[String: Any]] ?? [])
                #expect(Set(listed.compactMap { $0["raasTxnRef"] as? String }) == [pending, reserving])
                #expect(listed.allSatisfy { ($0["created"] as? String)?.hasSuffix("Z") == true })

                let none = try await harness.post(client, "/in-flight-transaction-check/1.0", Self.body(amount: 5_000))
                #expect(none.status == .ok && none.text == #"{"hasPendingTransactions":false,"transactions":[]}"#)
            }
        }
    }

    @Test("every field is required and checked; another clientId is 403")
    func rules() async throws {
        try await LookupHarness.with { harness in
            try await harness.serve { client in
                for (body, message) in [
                    (#"{"clientId":200,"targetIdentifier":"1","productId":1,"purchaseAmount":1}"#, "sourceIdentifier :may not be null"),
                    (Self.body(source: "2782-111"), "sourceIdentifier : must be an alphanumeric"),
                    (Self.body(amount: 0), "amount :must be greater than 0"),
                    (#"{"clientId":200,"sourceIdentifier":"1","targetIdentifier":"1","productId":1.5,"purchaseAmount":1}"#,
                     "Transaction request not valid"),
                    ("[1]", "Transaction request not valid"),
                ] {
                    let answer = try await harness.post(client, "/in-flight-transaction-check/1.0", body)
                    #expect(answer.status == .badRequest && answer.responseCode == "4000" && answer.responseMessage == message, "\(body)")
                }
                #expect(try await harness.post(client, "/in-flight-transaction-check/1.0", Self.body(client: 201)).status == .forbidden)
            }
        }
    }
}
