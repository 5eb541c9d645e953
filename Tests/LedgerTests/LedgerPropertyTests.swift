import Foundation
import Ledger
import Postgres
import Synchronization
import TestSupport
import Testing

/// Thousands of random transfers from many concurrent tasks; afterwards every balance must equal what the
/// accepted operations imply and every invariant must hold.
@Suite("Ledger: properties under concurrency")
struct LedgerPropertyTests {
    let ledger = Ledger()

    /// The four balance columns of an account, as the accepted operations imply them.
    struct ExpectedBalance: Equatable {
        var postedDebits: Int64 = 0, postedCredits: Int64 = 0, pendingDebits: Int64 = 0, pendingCredits: Int64 = 0

        mutating func apply(_ amount: Int64, pending: Bool, sign: Int64 = 1) {
            let signed = amount * sign
            switch (pending, amount > 0) {
            case (false, true): postedDebits += signed
            case (false, false): postedCredits -= signed
            case (true, true): pendingDebits += signed
            case (true, false): pendingCredits -= signed
            }
        }
    }

    /// What happened, recorded only for operations the ledger accepted.
    enum Accepted {
        case posted([Posting])
        case pendingCreated([Posting])
        case released([Posting])
    }

    final class Model: Sendable {
        let accepted = Mutex<[Accepted]>([])
        /// Pending transfers that may still be resolved, with their postings.
        let openPendings = Mutex<[(UUID, [Posting])]>([])
        /// Requests already written, for replays.
        let written = Mutex<[TransferRequest]>([])
        let refusals = Mutex<[String: Int]>([:])

        func record(_ outcome: Accepted) { accepted.withLock { $0.append(outcome) } }
        func refused(_ reason: String) { refusals.withLock { $0[reason, default: 0] += 1 } }
    }

    static let zarAccounts: [AccountSpecification] = [
        .init(code: "zar-bank", currency: "ZAR", kind: .asset),
        .init(code: "zar-cash", currency: "ZAR", kind: .asset),
        .init(code: "zar-revenue", currency: "ZAR", kind: .revenue),
        .init(code: "zar-expense", currency: "ZAR", kind: .expense),
        .init(code: "zar-wallet-1", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true),
        .init(code: "zar-wallet-2", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true),
        .init(code: "zar-wallet-3", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true),
        .init(code: "zar-float", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true),
        .init(code: "zar-receivable", currency: "ZAR", kind: .asset, creditsMustNotExceedDebits: true),
        .init(code: "zar-payable", currency: "ZAR", kind: .liability),
    ]
    static let usdAccounts: [AccountSpecification] = [
        .init(code: "usd-bank", currency: "USD", kind: .asset),
        .init(code: "usd-wallet", currency: "USD", kind: .liability, debitsMustNotExceedCredits: true),
        .init(code: "usd-revenue", currency: "USD", kind: .revenue),
    ]

    /// 2–4 postings on distinct accounts of one currency, summing to zero.
    static func randomPostings(_ random: inout SeededGenerator, legs: Int? = nil) -> [Posting] {
        let accounts = Bool.random(using: &random) ? zarAccounts : usdAccounts
        let count = legs ?? Int.random(in: 2...min(4, accounts.count), using: &random)
        let chosen = accounts.shuffled(using: &random).prefix(count)
        var postings: [Posting] = []
        var total: Int64 = 0
        for account in chosen.dropLast() {
            var amount = Int64.random(in: -5_000...5_000, using: &random)
            if amount == 0 { amount = 1 }
            if total + amount == 0 { amount += 1 }
            total += amount
            postings.append(Posting(accountCode: account.code, amountMinor: amount))
        }
        postings.append(Posting(accountCode: chosen.last!.code, amountMinor: -total))
        return postings
    }

    @Test("random single- and two-phase transfers from 16 tasks keep every invariant")
    func randomTransfers() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let tasks = 16
        let operationsPerTask = 200
        try await TestDatabase.with(poolSize: 4) { db, _ in
            for account in Self.zarAccounts + Self.usdAccounts { try await ledger.createAccount(account, on: db) }
            // Fund the wallets and the float so that most debits succeed and some do not.
            let funding = ["zar-wallet-1", "zar-wallet-2", "zar-wallet-3", "zar-float"].map {
                Posting.move(40_000, debit: "zar-bank", credit: $0)
            } + [Posting.move(40_000, debit: "usd-bank", credit: "usd-wallet")]
            let model = Model()
            for postings in funding {
                try await ledger.createTransfer(.init(id: UUID(), phase: .single, postings: postings), on: db)
                model.record(.posted(postings))
            }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var random = SeededGenerator(seed: seed &+ UInt64(task))
                        for _ in 0..<operationsPerTask {
                            try await randomOperation(&random, db: db, model: model)
                        }
                    }
                }
                try await group.waitForAll()
            }

            var expected: [String: ExpectedBalance] = [:]
            for outcome in model.accepted.withLock({ $0 }) {
                switch outcome {
                case .posted(let postings):
                    for posting in postings { expected[posting.accountCode, default: .init()].apply(posting.amountMinor, pending: false) }
                case .pendingCreated(let postings):
                    for posting in postings { expected[posting.accountCode, default: .init()].apply(posting.amountMinor, pending: true) }
                case .released(let postings):
                    for posting in postings {
                        expected[posting.accountCode, default: .init()].apply(posting.amountMinor, pending: true, sign: -1)
                    }
                }
            }
            for account in Self.zarAccounts + Self.usdAccounts {
                let balance = try #require(try await ledger.balance(of: account.code, on: db))
                let actual = ExpectedBalance(
                    postedDebits: balance.postedDebitsMinor, postedCredits: balance.postedCreditsMinor,
                    pendingDebits: balance.pendingDebitsMinor, pendingCredits: balance.pendingCreditsMinor)
                #expect(actual == expected[account.code, default: .init()], "account \(account.code), seed \(seed)")
            }
            let violations = try await ledger.invariantViolations(on: db)
            #expect(violations.isEmpty, "seed \(seed): \(violations.prefix(5))")
            let perCurrency = try await db.query("""
                SELECT currency, sum(posted_debits - posted_credits) AS net, sum(pending_debits - pending_credits) AS pending
                FROM ledger.accounts GROUP BY currency
                """)
            for row in perCurrency {
                #expect(try row.decode(Int64.self, "net") == 0)
                #expect(try row.decode(Int64.self, "pending") == 0)
            }
            let accepted = model.accepted.withLock { $0.count }
            let refusals = model.refusals.withLock { $0 }
            // The mix must exercise both acceptance and refusal, or the test proves little.
            #expect(accepted > tasks * operationsPerTask / 2)
            #expect(refusals["insufficientFunds", default: 0] > 0, "seed \(seed): \(refusals)")
        }
    }

    func randomOperation(_ random: inout SeededGenerator, db: PostgresClient, model: Model) async throws {
        let choice = Int.random(in: 0..<100, using: &random)
        do {
            switch choice {
            case 0..<35:
                let request = TransferRequest(id: UUID(), phase: .single, postings: Self.randomPostings(&random))
                try await ledger.createTransfer(request, on: db)
                model.record(.posted(request.postings))
                model.written.withLock { $0.append(request) }
            case 35..<60:
                let request = TransferRequest(
                    id: UUID(), phase: .pending(timeoutSeconds: Bool.random(using: &random) ? nil : 3_600),
                    postings: Self.randomPostings(&random, legs: Bool.random(using: &random) ? 2 : 3))
                try await ledger.createTransfer(request, on: db)
                model.record(.pendingCreated(request.postings))
                model.openPendings.withLock { $0.append((request.id, request.postings)) }
            case 60..<90:
                // Resolve a pending transfer, sometimes one another task resolves at the same time.
                guard let (pendingID, postings) = model.openPendings.withLock({ pendings -> (UUID, [Posting])? in
                    guard !pendings.isEmpty else { return nil }
                    let index = Int.random(in: 0..<pendings.count)
                    return Int.random(in: 0..<4) == 0 ? pendings[index] : pendings.remove(at: index)
                }) else { return }
                if choice < 70 {
                    try await ledger.voidPending(id: UUID(), pendingID: pendingID, on: db)
                    model.record(.released(postings))
                } else if postings.count == 2, Bool.random(using: &random) {
                    let full = abs(postings[0].amountMinor)
                    let part = Int64.random(in: 0...full, using: &random)
                    try await ledger.postPending(id: UUID(), pendingID: pendingID, amountMinor: part, on: db)
                    model.record(.released(postings))
                    model.record(.posted(postings.map { Posting(accountCode: $0.accountCode, amountMinor: $0.amountMinor.signum() * part) }))
                } else {
                    try await ledger.postPending(id: UUID(), pendingID: pendingID, on: db)
                    model.record(.released(postings))
                    model.record(.posted(postings))
                }
            default:
                // Replay something already written: nothing may change.
                guard let request = model.written.withLock({ $0.randomElement() }) else { return }
                let receipt = try await ledger.createTransfer(request, on: db)
                #expect(receipt.replayed)
            }
        } catch let error as LedgerError {
            switch error {
            case .insufficientFunds: model.refused("insufficientFunds")
            case .alreadyResolved: model.refused("alreadyResolved")
            default: Issue.record("unexpected refusal: \(error)")
            }
        }
    }

    @Test("concurrent reservations against one account never overdraw it")
    func concurrentReservations() async throws {
        try await TestDatabase.with(poolSize: 4) { db, _ in
            try await ledger.createAccount(.init(code: "bank", currency: "ZAR", kind: .asset), on: db)
            try await ledger.createAccount(
                .init(code: "buyer", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true), on: db)
            try await ledger.createAccount(.init(code: "holds", currency: "ZAR", kind: .liability), on: db)
            try await ledger.createTransfer(
                .init(id: UUID(), phase: .single, postings: Posting.move(10_000, debit: "bank", credit: "buyer")), on: db)
            let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<60 {
                    group.addTask {
                        do {
                            try await ledger.createTransfer(
                                .init(id: UUID(), phase: .pending(timeoutSeconds: 600),
                                      postings: Posting.move(300, debit: "buyer", credit: "holds")), on: db)
                            return true
                        } catch LedgerError.insufficientFunds {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 33)
            let buyer = try #require(try await ledger.balance(of: "buyer", on: db))
            #expect(buyer.pendingDebitsMinor == 9_900)
            #expect(buyer.availableMinor == 100)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }
}
