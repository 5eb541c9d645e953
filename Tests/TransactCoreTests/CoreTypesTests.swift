import Foundation
import Testing
import TransactCore

@Suite("Amounts, currencies, response codes and references")
struct CoreTypesTests {
    @Test("API amounts are digits only, at most 12 of them")
    func apiAmounts() {
        #expect(MinorAmount(apiDigits: "25000")?.value == 25_000)
        #expect(MinorAmount(apiDigits: "999999999999")?.value == MinorAmount.maximumAPIValue)
        for bad in ["", "1000000000000", "-1", "1.5", "1e3", " 1", "+1", "١٢"] {
            #expect(MinorAmount(apiDigits: Substring(bad)) == nil, "\(bad) was accepted")
        }
    }

    @Test("arithmetic overflow is an error, never a wrap")
    func overflow() throws {
        #expect(try MinorAmount(5).adding(MinorAmount(7)) == MinorAmount(12))
        #expect(throws: AmountError.overflow) { try MinorAmount(.max).adding(MinorAmount(1)) }
        #expect(throws: AmountError.overflow) { try MinorAmount(.min).subtracting(MinorAmount(1)) }
    }

    @Test("currency codes are three upper-case letters")
    func currencies() {
        #expect(CurrencyCode("ZAR") != nil)
        for bad in ["zar", "ZA", "ZARR", "Z1R", "ÄAR"] { #expect(CurrencyCode(bad) == nil) }
    }

    @Test("amounts as people read them: major units with the currency's decimals, grouped in thousands")
    func formattedAmounts() throws {
        let zar = try #require(CurrencyCode("ZAR"))
        #expect(MinorAmount(10_000).formatted(in: zar) == "ZAR 100.00")
        #expect(MinorAmount(5).formatted(in: zar) == "ZAR 0.05")
        #expect(MinorAmount(0).formatted(in: zar) == "ZAR 0.00")
        #expect(MinorAmount(-50).formatted(in: zar) == "ZAR -0.50")
        #expect(MinorAmount(123_456_789).formatted(in: zar) == "ZAR 1,234,567.89")
        #expect(MinorAmount(999_999_999_999).formatted(in: zar) == "ZAR 9,999,999,999.99")
        #expect(MinorAmount(1_200).formatted(in: try #require(CurrencyCode("JPY"))) == "JPY 1,200")
        #expect(MinorAmount(1_234).formatted(in: try #require(CurrencyCode("KWD"))) == "KWD 1.234")
        #expect(MinorAmount(Int64.min).formatted(in: zar) == "ZAR -92,233,720,368,547,758.08")
    }

    @Test("response codes keep their leading zeros and know their classes")
    func responseCodes() {
        #expect(ResponseCode("0000")?.code == "0000")
        #expect(ResponseCode("2010")?.isReservationDecline == true)
        #expect(ResponseCode(Answer.vendorBusy.code)?.isRetryableVendorOutcome == true)
        #expect(ResponseCode("2238")?.isRetryableVendorOutcome == true)
        #expect(!ResponseCode("2213")!.isRetryableVendorOutcome)
        #expect(ResponseCode("200") == nil)
        #expect(ResponseCode("20a0") == nil)
    }

    @Test("answers: each named once, with a code of four digits; placeholders filled in order")
    func answers() {
        #expect(Answer.allCases.allSatisfy { ResponseCode($0.code) != nil })
        #expect(Set(Answer.allCases.map(\.coded)).count == Answer.allCases.count, "two names for one answer")
        #expect(Answer.productIdDoesNotExist.filled("719") == CodedMessage(code: "4000", message: "Product ID 719 does not exist"))
        #expect(Answer.formatError.filled("clientId", "may not be null").message == "clientId :may not be null")
        #expect(Answer.success.filled().message == "Success")
    }

    @Test("raasTxnRef and vend references")
    func references() throws {
        let reference = RaasTxnRef()
        #expect(RaasTxnRef(parsing: reference.value) == reference)
        #expect(reference.vendReference(attempt: 0) == reference.value + "-0000")
        #expect(reference.vendReference(attempt: 12) == reference.value + "-0012")
        #expect(RaasTxnRef(parsing: reference.value.uppercased()) == nil)
        #expect(RaasTxnRef(parsing: "not-a-reference") == nil)
    }
}
