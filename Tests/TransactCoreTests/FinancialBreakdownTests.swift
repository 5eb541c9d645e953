import TransactCore
import TestSupport
import Testing

@Suite("Financial terms arithmetic (API.md §2.1)")
struct FinancialBreakdownTests {
    /// Half-up rounding of amount × bps / 10000, computed another way: floor((2·amount·bps + 10000) / 20000).
    func reference(_ amount: Int64, _ bps: Int64) -> Int64 {
        (2 * amount * bps + 10_000) / 20_000
    }

    @Test("API.md's example: purchase 10000, no fee, client share 1000 bps")
    func example() throws {
        let breakdown = try FinancialBreakdown(purchaseAmount: 10_000, terms: FeeSchedule(clientShareBasisPoints: 1_000))
        #expect(breakdown.reserveAmount == 10_000)
        #expect(breakdown.clientShareAmount == 1_000)
        #expect(breakdown.settlementAmount == 9_000)
        #expect(breakdown.vendAmount == 10_000)
        #expect(breakdown.feeAmount == 0)
    }

    @Test("the demo terms: a fixed fee capped by feeMax, a percentage fee clamped to feeMin, half-up rounding")
    func demoTerms() throws {
        let electricity = try FinancialBreakdown(
            purchaseAmount: 10_000,
            terms: FeeSchedule(feeFixedMinor: 200, feeMinMinor: 0, feeMaxMinor: 1_000, clientShareBasisPoints: 150, vendorShareBasisPoints: 250))
        #expect(electricity.feeAmount == 200)
        #expect(electricity.reserveAmount == 10_200)
        #expect(electricity.clientShareAmount == 153)
        #expect(electricity.vendorShareAmount == 250)
        #expect(electricity.settlementAmount == 10_047)
        let voucher = FeeSchedule(feeBasisPoints: 100, feeMinMinor: 50, feeMaxMinor: 500, clientShareBasisPoints: 500, vendorShareBasisPoints: 1_000)
        #expect(try FinancialBreakdown(purchaseAmount: 7_990, terms: voucher).feeAmount == 80)      // 79.90 rounds up
        #expect(try FinancialBreakdown(purchaseAmount: 7_949, terms: voucher).feeAmount == 79)      // 79.49 rounds down
        #expect(try FinancialBreakdown(purchaseAmount: 7_950, terms: voucher).feeAmount == 80)      // 79.50 rounds half up
        #expect(try FinancialBreakdown(purchaseAmount: 1_000, terms: voucher).feeAmount == 50)      // 10 clamped to feeMin
        #expect(try FinancialBreakdown(purchaseAmount: 1_000_000, terms: voucher).feeAmount == 500) // 10000 clamped to feeMax
    }

    @Test("identities hold for random inputs, and rounding matches an independent computation")
    func properties() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        for _ in 0..<20_000 {
            let purchase = Int64.random(in: 1...999_999_999_999, using: &random)
            let feeMin: Int64? = Bool.random(using: &random) ? Int64.random(in: 0...10_000, using: &random) : nil
            let feeMax: Int64? = Bool.random(using: &random) ? (feeMin ?? 0) + Int64.random(in: 0...1_000_000, using: &random) : nil
            let terms = FeeSchedule(
                feeFixedMinor: Int64.random(in: 0...100_000, using: &random), feeBasisPoints: Int64.random(in: 0...10_000, using: &random),
                feeMinMinor: feeMin, feeMaxMinor: feeMax, clientShareBasisPoints: Int64.random(in: 0...10_000, using: &random),
                vendorShareBasisPoints: Int64.random(in: 0...10_000, using: &random))
            let b = try FinancialBreakdown(purchaseAmount: purchase, terms: terms)
            var fee = terms.feeFixedMinor + reference(purchase, terms.feeBasisPoints)
            if let feeMax { fee = min(fee, feeMax) }
            if let feeMin { fee = max(fee, feeMin) }
            #expect(b.feeAmount == fee, "seed \(seed)")
            #expect(b.reserveAmount == purchase + b.feeAmount, "seed \(seed)")
            #expect(b.vendAmount == purchase, "seed \(seed)")
            #expect(b.clientShareAmount == reference(b.reserveAmount, terms.clientShareBasisPoints), "seed \(seed)")
            #expect(b.vendorShareAmount == reference(purchase, terms.vendorShareBasisPoints), "seed \(seed)")
            #expect(b.settlementAmount == b.reserveAmount - b.clientShareAmount, "seed \(seed)")
            #expect((0...b.reserveAmount).contains(b.clientShareAmount) && (0...purchase).contains(b.vendorShareAmount), "seed \(seed)")
        }
    }

    @Test("overflow is an error, never a wrap; invalid terms are refused")
    func refusals() {
        #expect(throws: FinancialBreakdown.Failure.overflow) {
            try FinancialBreakdown(purchaseAmount: .max / 2, terms: FeeSchedule(feeBasisPoints: 10_000))
        }
        #expect(throws: FinancialBreakdown.Failure.overflow) {
            try FinancialBreakdown(purchaseAmount: .max - 10, terms: FeeSchedule(feeFixedMinor: 100))
        }
        #expect(throws: FinancialBreakdown.Failure.self) { try FinancialBreakdown(purchaseAmount: -1, terms: FeeSchedule()) }
        #expect(throws: FinancialBreakdown.Failure.self) {
            try FinancialBreakdown(purchaseAmount: 1, terms: FeeSchedule(clientShareBasisPoints: 10_001))
        }
        #expect(throws: FinancialBreakdown.Failure.self) {
            try FinancialBreakdown(purchaseAmount: 1, terms: FeeSchedule(feeMinMinor: 10, feeMaxMinor: 5))
        }
    }
}
