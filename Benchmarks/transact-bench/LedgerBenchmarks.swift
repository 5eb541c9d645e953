import Foundation
import Ledger
import Postgres

/// Ledger throughput: transfers spread over many accounts and concentrated on one hot account, single- and
/// two-phase, one transfer per commit and batched.
struct LedgerBenchmarks {
    let client: PostgresClient
    let arguments: BenchmarkArguments
    let ledger = Ledger()
    static let walletCount = 1_000

    func wallet(_ index: Int) -> String { "bench-wallet-\(index % Self.walletCount)" }
    func merchant(_ index: Int) -> String { "bench-merchant-\(index % Self.walletCount)" }

    func run() async throws {
        try await openAccounts()
        let ledger = self.ledger
        let client = self.client

        if arguments.wants("single") {
            let single = try await BenchmarkMain.measure(arguments) { task, index in
                try await ledger.createTransfer(.init(
                    id: UUID(), phase: .single,
                    postings: Posting.move(1, debit: wallet(task * 7_919 + index), credit: merchant(task * 104_729 + index * 31))),
                    on: client)
            }
            BenchmarkMain.report("ledger single-phase, many accounts", single, unit: "transfers/s")
        }

        if arguments.wants("twophase") {
            let twoPhase = try await BenchmarkMain.measure(arguments) { task, index in
                let pending = UUID()
                try await ledger.createTransfer(.init(
                    id: pending, phase: .pending(timeoutSeconds: 600),
                    postings: Posting.move(2, debit: wallet(task * 7_919 + index), credit: merchant(task * 104_729 + index * 31))),
                    on: client)
                try await ledger.postPending(id: UUID(), pendingID: pending, on: client)
            }
            BenchmarkMain.report("ledger two-phase (pending + post), many accounts", twoPhase, unit: "transfers/s")
        }

        if arguments.wants("hot") {
            let hot = try await BenchmarkMain.measure(arguments) { task, index in
                try await ledger.createTransfer(.init(
                    id: UUID(), phase: .single,
                    postings: Posting.move(1, debit: wallet(task * 7_919 + index), credit: "bench-hot")), on: client)
            }
            BenchmarkMain.report("ledger single-phase, one hot account, one per commit", hot, unit: "transfers/s")
        }

        let batcher = LedgerBatcher(
            database: client, maxBatchSize: arguments.batchSize, maxConcurrentBatches: arguments.concurrentBatches)
        if arguments.wants("hotbatched") {
            let hotBatched = try await BenchmarkMain.measure(arguments, concurrency: arguments.concurrency * 4) { task, index in
                try await batcher.submit(.transfer(.init(
                    id: UUID(), phase: .single,
                    postings: Posting.move(1, debit: wallet(task * 7_919 + index), credit: "bench-hot"))))
            }
            BenchmarkMain.report("ledger single-phase, one hot account, batched", hotBatched, unit: "transfers/s")
        }

        if arguments.wants("floatbatched") {
            let hotFloatBatched = try await BenchmarkMain.measure(arguments, concurrency: arguments.concurrency * 4) { task, index in
                let pending = UUID()
                try await batcher.submit(.transfer(.init(
                    id: pending, phase: .pending(timeoutSeconds: 600),
                    postings: Posting.move(1, debit: "bench-float", credit: merchant(task * 104_729 + index * 31)))))
                try await batcher.submit(.post(id: UUID(), pendingID: pending, amountMinor: nil))
            }
            BenchmarkMain.report("ledger two-phase on one flagged hot account, batched", hotFloatBatched, unit: "transfers/s")
        }

        if arguments.wants("twophasebatched") {
            let twoPhaseBatched = try await BenchmarkMain.measure(arguments, concurrency: arguments.concurrency * 4) { task, index in
                let pending = UUID()
                try await batcher.submit(.transfer(.init(
                    id: pending, phase: .pending(timeoutSeconds: 600),
                    postings: Posting.move(2, debit: wallet(task * 7_919 + index), credit: merchant(task * 104_729 + index * 31)))))
                try await batcher.submit(.post(id: UUID(), pendingID: pending, amountMinor: nil))
            }
            BenchmarkMain.report("ledger two-phase, many accounts, batched", twoPhaseBatched, unit: "transfers/s")
        }

        let violations = try await ledger.invariantViolations(on: client)
        print("ledger invariants after the run: \(violations.isEmpty ? "all hold" : "\(violations.count) violated: \(violations.prefix(3))")")
    }

    /// 1,000 funded wallets (may not go below zero), 1,000 merchants, a hot revenue account and a hot float.
    func openAccounts() async throws {
        try await ledger.createAccount(.init(code: "bench-bank", currency: "ZAR", kind: .asset), on: client)
        try await ledger.createAccount(.init(code: "bench-hot", currency: "ZAR", kind: .revenue), on: client)
        try await ledger.createAccount(
            .init(code: "bench-float", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true), on: client)
        try await ledger.createTransfer(
            .init(id: UUID(), phase: .single, postings: Posting.move(1_000_000_000_000, debit: "bench-bank", credit: "bench-float")),
            on: client)
        for index in 0..<Self.walletCount {
            try await ledger.createAccount(
                .init(code: wallet(index), currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true), on: client)
            try await ledger.createAccount(.init(code: merchant(index), currency: "ZAR", kind: .liability), on: client)
            try await ledger.createTransfer(
                .init(id: UUID(), phase: .single, postings: Posting.move(1_000_000_000, debit: "bench-bank", credit: wallet(index))),
                on: client)
        }
    }
}
