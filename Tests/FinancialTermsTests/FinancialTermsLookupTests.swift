import FinancialTerms
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Postgres
import SecurityService
import Seeding
import ServiceHTTP
import TestSupport
import Testing
import TransactCrypto

@Suite("GET /financial-terms/1.0")
struct FinancialTermsLookupTests {
    static let demoSeed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/demo-seed.yaml").path

    @Test("the breakdown for the caller's product; 400 for an unknown product or a bad parameter; 403 for another client")
    func lookup() async throws {
        try await TestDatabase.with { db, _ in
            _ = try await SeedLoader(
                database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey),
                secretHashing: Scrypt(logN: 8, blockSize: 8, parallelism: 1)
            ).load(try SeedReader.read(fileAt: Self.demoSeed), file: "demo-seed.yaml")
            let directory = ClientDirectory(database: db)
            let keys = SigningKeyStore(database: db, sealer: SecretSealer(masterKey: TestDatabase.masterKey), retiredKeyGrace: .seconds(360))
            let token = try await TokenIssuer(
                directory: directory, keys: keys, issuer: "transact", lifetimeSeconds: 300, throttle: FailureThrottle()
            ).issue(grantType: "client_credentials", clientId: "200", clientSecret: "demo-secret-change-me").accessToken
            let router = Router(context: TransactRequestContext.self)
            router.add(middleware: ErrorMiddleware())
            router.add(middleware: RequestIDMiddleware())
            let protected = router.group()
                .add(middleware: AuthenticationMiddleware(verifier: TokenVerifier(directory: directory, keys: keys, issuer: "transact")))
            FinancialTermsRoutes(database: db).add(to: protected)
            let headers: HTTPFields = [.authorization: "Bearer \(token)", HTTPField.Name("X-API-Key")!: "demo-api-key-change-me"]

            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/financial-terms/1.0?clientId=200&productId=719&purchaseAmount=10000", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    struct Answer: Decodable {
                        let clientId: Int64, productId: Int64, currencyCode: String, purchaseAmount: Int64, lookupReference: String
                        let breakdown: [String: Int64]
                    }
                    let answer = try JSONDecoder().decode(Answer.self, from: Data(String(buffer: response.body).utf8))
                    #expect(answer.clientId == 200 && answer.productId == 719 && answer.currencyCode == "ZAR")
                    #expect(answer.breakdown == [
                        "reserveAmount": 10_200, "vendAmount": 10_000, "feeAmount": 200, "clientShareAmount": 153,
                        "vendorShareAmount": 250, "settlementAmount": 10_047,
                    ])
                    #expect(!answer.lookupReference.isEmpty)
                }
                try await client.execute(uri: "/financial-terms/1.0?clientId=200&productId=999&purchaseAmount=100", method: .get, headers: headers) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body) == #"{"responseCode":"4000","responseMessage":"Product ID 999 does not exist"}"#)
                }
                try await client.execute(uri: "/financial-terms/1.0?clientId=200&productId=719", method: .get, headers: headers) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body) == #"{"responseCode":"4000","responseMessage":"purchaseAmount :may not be null"}"#)
                }
                for bad in ["1.5", "-1", "1e3", "1234567890123", "0"] {
                    try await client.execute(uri: "/financial-terms/1.0?clientId=200&productId=719&purchaseAmount=\(bad)", method: .get, headers: headers) { response in
                        #expect(response.status == .badRequest, "\(bad)")
                        #expect(String(buffer: response.body).contains(#""responseCode":"4000""#))
                    }
                }
                try await client.execute(uri: "/financial-terms/1.0?clientId=201&productId=719&purchaseAmount=100", method: .get, headers: headers) { response in
                    #expect(response.status == .forbidden)
                }
            }
        }
    }
}
