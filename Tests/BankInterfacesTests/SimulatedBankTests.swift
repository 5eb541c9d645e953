import BankInterfaces
import Foundation
import Testing

@Suite("Bank messages and the simulated bank (API.md §4, §5.3)")
struct SimulatedBankTests {
    func request(source: String = "27831234567", reference: String = UUID().uuidString.lowercased()) -> ReserveFundsRequest {
        ReserveFundsRequest(
            clientTxnRef: "c-1", raasTxnRef: reference, productId: 110, productType: "Airtime", purchaseAmount: 10_000,
            reserveAmount: 10_200, feeAmount: 200, vendAmount: 10_000, currencyCode: "ZAR", clientId: 200,
            sourceIdentifier: source, targetIdentifier: "27831234567", accountIdentifier: nil, authCode: "1234", channelId: 7,
            channelName: "USSD", channelSessionId: "s1", timestamp: "2016-06-29T16:39:42.735Z")
    }

    @Test("reserveFunds carries exactly the fields of §4.1")
    func wireFields() throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(request())) as? [String: Any]
        #expect(Set(json?.keys ?? [:].keys) == [
            "clientTxnRef", "raasTxnRef", "productId", "productType", "purchaseAmount", "reserveAmount", "feeAmount",
            "vendAmount", "currencyCode", "clientId", "sourceIdentifier", "targetIdentifier", "authCode", "channelId",
            "channelName", "channelSessionId", "timestamp",
        ])
    }

    @Test("reserves, declines by the last four digits, and says nothing for 2060", arguments: [
        ("27831234567", "0000"), ("27830002010", "2010"), ("27830002020", "2020"), ("27830002030", "2030"),
        ("27830002040", "2040"), ("27830002050", "2050"), ("27830002070", "2070"), ("27830002080", "2080"),
        ("27830002090", "2090"), ("27830002060", nil),
    ] as [(String, String?)])
    func decisions(source: String, code: String?) {
        let bank = SimulatedBank()
        let sent = request(source: source)
        switch bank.reserveFunds(sent) {
        case .silence:
            #expect(code == nil)
        case .answer(let answer):
            #expect(answer.responseCode == code)
            #expect(answer.answers(sent))
            #expect((answer.reserveFundsTxnRef != nil) == (code == "0000"))
            #expect((bank.hold(for: sent.raasTxnRef) != nil) == (code == "0000"))
        }
    }

    @Test("holds are debited on success and released on failure, once")
    func holds() {
        let bank = SimulatedBank()
        let first = request()
        let second = request()
        _ = bank.reserveFunds(first)
        _ = bank.reserveFunds(first)  // a repeat is the same hold
        _ = bank.reserveFunds(second)
        #expect(bank.allHolds.count == 2)
        func notice(_ sent: ReserveFundsRequest, success: Bool) -> TransactResultNotice {
            TransactResultNotice(
                raasTxnRef: sent.raasTxnRef, clientTxnRef: sent.clientTxnRef, reserveFundsTxnRef: nil,
                responseCode: success ? "0000" : "2213", responseMessage: "", transactionStatus: success ? "SUCCESS" : "FAILED",
                purchaseAmount: 10_000, reserveAmount: 10_200, vendAmount: 10_000, feeAmount: 200, clientShareAmount: 0,
                vendorShareAmount: 0, settlementAmount: 10_200, timestamp: "", token: "")
        }
        bank.transactResult(notice(first, success: true))
        bank.transactResult(notice(first, success: false))  // already final: no change
        bank.transactResult(notice(second, success: false))
        #expect(bank.hold(for: first.raasTxnRef)?.state == .debited)
        #expect(bank.hold(for: second.raasTxnRef)?.state == .released)
        #expect(bank.hold(for: first.raasTxnRef)?.amount == 10_200)
    }

    @Test("an answer that does not match the request counts as unreadable")
    func integrity() {
        let sent = request()
        let good = ReserveFundsAnswer(
            raasTxnRef: sent.raasTxnRef, clientTxnRef: sent.clientTxnRef, reserveFundsTxnRef: "B1", responseCode: "0000",
            responseMessage: "ok", reserveAmount: 10_200)
        #expect(good.answers(sent))
        var wrongReference = good
        wrongReference.raasTxnRef = "other"
        var wrongClientReference = good
        wrongClientReference.clientTxnRef = "other"
        var wrongAmount = good
        wrongAmount.reserveAmount = 10_199
        var noReservation = good
        noReservation.reserveFundsTxnRef = nil
        var badCode = good
        badCode.responseCode = "OK"
        for answer in [wrongReference, wrongClientReference, wrongAmount, noReservation, badCode] {
            #expect(!answer.answers(sent))
        }
    }
}
