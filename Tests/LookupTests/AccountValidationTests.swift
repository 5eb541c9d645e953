import Foundation
import Hummingbird
import HummingbirdTesting
import Simulators
import Testing

@Suite("POST /customerAccountValidation/2.0/validate")
struct AccountValidationTests {
    static func body(product: Int = 719, target: String = "04000123456", client: Int = 200) -> String {
        #"{"productId":\#(product),"purchaseAmount":5000,"sourceIdentifier":"27821111111","targetIdentifier":"\#(target)","clientId":\#(client),"timestamp":"2026-11-29T10:00:00Z"}"#
    }

    func check(_ harness: LookupHarness) async throws {
        try await harness.serve { client in
            let valid = try await harness.post(client, "/customerAccountValidation/2.0/validate", Self.body())
            #expect(valid.status == .ok && valid.responseCode == "0000")
            #expect(valid.object["message"] as? [String] == ["Success"])
            let customer = try #require(valid.object["customerInfo"] as? [String: String])
            #expect(Set(customer.keys) == ["name", "address", "phone", "district"] && customer.values.allSatisfy { !$0.isEmpty })
            let account = try #require(valid.object["accountInfo"] as? [String: Any])
            #expect(account["accountNumber"] as? String == "04000123456" && account["amount"] as? Int == 5_000)
            #expect(account["arrears"] is Int && account["minimumAmount"] is Int && account["tariff"] is String && account["providerName"] is String)
            // The same account is described the same way each time.
            #expect(try await harness.post(client, "/customerAccountValidation/2.0/validate", Self.body()).text == valid.text)

            let invalid = try await harness.post(client, "/customerAccountValidation/2.0/validate", Self.body(target: "04000120000"))
            #expect(invalid.status == .ok && invalid.responseCode == "2210" && invalid.object["customerInfo"] == nil)
            #expect(invalid.object["message"] as? [String] == ["Invalid account number"])

            let notOffered = try await harness.post(client, "/customerAccountValidation/2.0/validate", Self.body(product: 110))
            #expect(notOffered.status == .accepted && notOffered.responseCode == "4010" && notOffered.responseMessage == "Service not found")
            let unknown = try await harness.post(client, "/customerAccountValidation/2.0/validate", Self.body(product: 999))
            #expect(unknown.status == .badRequest && unknown.responseMessage == "Product ID 999 does not exist")
            let format = try await harness.post(client, "/customerAccountValidation/2.0/validate", #"{"productId":719}"#)
            #expect(format.status == .badRequest && format.responseMessage == "purchaseAmount :may not be null")
            #expect(try await harness.post(client, "/customerAccountValidation/2.0/validate", Self.body(client: 201)).status == .forbidden)
        }
    }

    @Test("the simulated vendor, in process: plausible info, a decline for accounts ending 0000, 202 4010 without validation")
    func simulated() async throws {
        try await LookupHarness.with { harness in try await check(harness) }
    }

    @Test("the same through the http vendor adapter and `transact simulate vendor`'s routes over loopback")
    func overHTTP() async throws {
        try await LookupHarness.with { harness in
            let router = Router()
            VendorSimulatorRoutes().add(to: router)
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { simulator in
                let port = try #require(simulator.port)
                try await harness.db.query("UPDATE catalogue.vendors SET adapter = 'http', url = \("http://127.0.0.1:\(port)")")
                try await check(harness)
            }
        }
    }
}
