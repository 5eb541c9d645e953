import Foundation
import Ledger
import Postgres
import TestSupport
import Testing

@Suite("Ledger: batches")
struct LedgerBatchTests {
    let ledger = Ledger()

    func openAccounts(_ db: PostgresClient) async throws {
        try await ledger.createAccount(.init(code: "bank", currency: "ZAR", kind: .asset), on: db)
        try await ledger.createAccount(
            .init(code: "wallet", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true), on: db)
        try await ledger.createAccount(.init(code: "revenue", currency: "ZAR", kind: .revenue), on: db)
        try await ledger.createTransfer(
            .init(id: UUID(), phase: .single, postings: Posting.move(1_000, debit: "bank", credit: "wallet")), on: db)
    }

    @Test("each operation of a batch succeeds or is refused on its own, in order")
    func isolation() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let pending = UUID()
            let replayed = TransferRequest(id: UUID(), phase: .single, postings: Posting.move(100, debit: "wallet", credit: "revenue"))
            let results = try await ledger.apply([
                .transfer(replayed),
                .transfer(.init(id: UUID(), phase: .single, postings: Posting.move(5_000, debit: "wallet", credit: "revenue"))),
                .transfer(.init(id: pending, phase: .pending(timeoutSeconds: 60), postings: Posting.move(300, debit: "wallet", credit: "revenue"))),
                .transfer(.init(id: UUID(), phase: .single, postings: [
                    Posting(accountCode: "bank", amountMinor: 1), Posting(accountCode: "revenue", amountMinor: -2),
                ])),
                .post(id: UUID(), pendingID: pending, amountMinor: 200),
                .void(id: UUID(), pendingID: pending),
                .transfer(replayed),
            ], on: db)
            #expect(results.count == 7)
            #expect((try? results[0].get())?.replayed == false)
            guard case .failure(.insufficientFunds) = results[1] else { Issue.record("expected insufficientFunds, got \(results[1])"); return }
            #expect((try? results[2].get()) != nil)
            guard case .failure(.unbalanced) = results[3] else { Issue.record("expected unbalanced, got \(results[3])"); return }
            #expect((try? results[4].get()) != nil)
            guard case .failure(.alreadyResolved) = results[5] else { Issue.record("expected alreadyResolved, got \(results[5])"); return }
            #expect((try? results[6].get())?.replayed == true)
            let wallet = try #require(try await ledger.balance(of: "wallet", on: db))
            #expect(wallet.postedMinor == 700)
            #expect(wallet.availableMinor == 700)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("a batch without refusals or replays is applied set-based and gives the same balances")
    func fastPath() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let pendings = (0..<10).map { _ in UUID() }
            var operations: [LedgerOperation] = pendings.map {
                .transfer(.init(id: $0, phase: .pending(timeoutSeconds: 60), postings: Posting.move(20, debit: "wallet", credit: "revenue")))
            }
            operations += pendings.enumerated().map { index, pending in
                switch index % 3 {
                case 0: .post(id: UUID(), pendingID: pending, amountMinor: nil)
                case 1: .post(id: UUID(), pendingID: pending, amountMinor: 5)
                default: .void(id: UUID(), pendingID: pending)
                }
            }
            operations.append(.transfer(.init(id: UUID(), phase: .single, postings: Posting.move(100, debit: "wallet", credit: "revenue"))))
            let results = try await ledger.apply(operations, on: db)
            #expect(results.allSatisfy { (try? $0.get())?.replayed == false })
            // Posts in full: indexes 0,3,6,9 (4 × 20); in part: 1,4,7 (3 × 5); voids release the rest.
            let wallet = try #require(try await ledger.balance(of: "wallet", on: db))
            #expect(wallet.postedMinor == 1_000 - 80 - 15 - 100)
            #expect(wallet.pendingMinor == 0)
            let stored = try await db.query("SELECT count(*) AS n FROM ledger.transfers").single().decode(Int.self, "n")
            #expect(stored == 1 + operations.count)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
            // An unknown account inside a batch is refused on its own.
            let mixed = try await ledger.apply([
                .transfer(.init(id: UUID(), phase: .single, postings: Posting.move(1, debit: "wallet", credit: "nobody"))),
                .transfer(.init(id: UUID(), phase: .single, postings: Posting.move(1, debit: "wallet", credit: "revenue"))),
            ], on: db)
            guard case .failure(.unknownAccount) = mixed[0] else { Issue.record("expected unknownAccount, got \(mixed[0])"); return }
            #expect((try? mixed[1].get()) != nil)
        }
    }

    @Test("the batcher coalesces concurrent writes to a hot account without overdrawing it")
    func batcher() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let batcher = LedgerBatcher(database: db, maxBatchSize: 16, maxConcurrentBatches: 2)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<150 {
                    group.addTask {
                        do {
                            try await batcher.submit(.transfer(.init(
                                id: UUID(), phase: .single, postings: Posting.move(10, debit: "wallet", credit: "revenue"))))
                            return true
                        } catch LedgerError.insufficientFunds {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 100)
            let revenue = try #require(try await ledger.balance(of: "revenue", on: db))
            #expect(revenue.postedMinor == 1_000)
            let transfers = try await db.query("SELECT count(*) AS n FROM ledger.transfers").single().decode(Int.self, "n")
            #expect(transfers == 101)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }
}
