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

    @Test("response codes keep their leading zeros and know their classes")
    func responseCodes() {
        #expect(ResponseCode.success.code == "0000")
        #expect(ResponseCode("2010")?.isReservationDecline == true)
        #expect(ResponseCode.vendorBusy.isRetryableVendorOutcome)
        #expect(!ResponseCode("2213")!.isRetryableVendorOutcome)
        #expect(ResponseCode("200") == nil)
        #expect(ResponseCode("20a0") == nil)
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
