import BankInterfaces
import Foundation
import Postgres
import SecurityService
import Seeding
import TestSupport
import Testing
import TransactCrypto

@Suite("Funding sources from the catalogue")
struct FundingSourceDirectoryTests {
    @Test("a simulated source uses the process's simulated bank; an http source is built with its policies and credentials")
    func entries() async throws {
        try await TestDatabase.with { db, _ in
            let yaml = """
                fundingSources:
                  - { fundingSourceId: 3, name: Simulated Bank, adapter: simulated, reservationTimeoutMs: 9000 }
                  - fundingSourceId: 4
                    name: Real Bank
                    adapter: http
                    reserveFundsUrl: http://127.0.0.1:1/reserveFunds
                    transactResultUrl: http://127.0.0.1:1/transactResult
                    auth: { type: basic, username: u, password: p }
                    signatureRequired: true
                    signatureSecret: "0123456789abcdef0123456789abcdef"
                    maxRetries: 7
                """
            let sealer = SecretSealer(masterKey: TestDatabase.masterKey)
            _ = try await SeedLoader(database: db, sealer: sealer, secretHashing: Scrypt(logN: 8, blockSize: 8, parallelism: 1))
                .load(try SeedReader.read(text: yaml, file: "t.yaml"), file: "t.yaml")
            let bank = SimulatedBank()
            let directory = FundingSourceDirectory(
                database: db, open: { try sealer.open($0, purpose: $1) }, simulatedBank: bank)

            let simulated = try #require(try await directory.entry(for: 3))
            #expect(simulated.reservationTimeoutMs == 9_000)
            #expect(simulated.adapter is SimulatedFundingSource)
            let reserve = ReserveFundsRequest(
                clientTxnRef: "c", raasTxnRef: "r-1", productId: 1, productType: "Airtime", purchaseAmount: 1, reserveAmount: 1,
                feeAmount: 0, vendAmount: 1, currencyCode: "ZAR", clientId: 1, sourceIdentifier: "2783", targetIdentifier: "2783",
                accountIdentifier: nil, authCode: nil, channelId: 1, channelName: "POS", channelSessionId: "s",
                timestamp: "2016-06-29T16:39:42Z")
            guard case .reserved = await simulated.adapter.reserveFunds(reserve) else { Issue.record("not reserved"); return }
            #expect(bank.hold(for: "r-1") != nil)

            let http = try #require(try await directory.entry(for: 4))
            #expect(http.adapter is HTTPFundingSource && http.fundingSourceId == 4)
            #expect(try await directory.entry(for: 99) == nil)
        }
    }
}
