import Foundation
import Ledger
import Postgres
import TestSupport
import Testing

/// Each rule of the ledger is refused by PostgreSQL itself, whoever sends the SQL: these tests go around the
/// `Ledger` API with raw SQL wherever they can.
@Suite("Ledger: database-enforced refusals")
struct LedgerRefusalTests {
    let ledger = Ledger()

    /// A funded customer account (may not go below zero), a bank asset account and a merchant liability.
    func openAccounts(_ db: PostgresClient) async throws {
        try await ledger.createAccount(.init(code: "bank", currency: "ZAR", kind: .asset), on: db)
        try await ledger.createAccount(
            .init(code: "customer", currency: "ZAR", kind: .liability, debitsMustNotExceedCredits: true), on: db)
        try await ledger.createAccount(.init(code: "merchant", currency: "ZAR", kind: .liability), on: db)
        try await ledger.createAccount(.init(code: "usd-bank", currency: "USD", kind: .asset), on: db)
        try await ledger.createAccount(.init(code: "fees", currency: "ZAR", kind: .revenue), on: db)
        try await ledger.createTransfer(
            .init(id: UUID(), phase: .single, postings: Posting.move(10_000, debit: "bank", credit: "customer")), on: db)
    }

    func expectLedgerError(_ expected: (LedgerError) -> Bool, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("the ledger accepted what it must refuse")
        } catch {
            let ledgerError = error as? LedgerError ?? LedgerError(error)
            #expect(ledgerError.map(expected) == true, "unexpected error: \(error)")
        }
    }

    /// Raw SQL, around the `Ledger` API: postings under `transfer` that move `amount` from the customer to the
    /// merchant.
    func rawPostings(customerToMerchant amount: Int64, transfer: UUID, on db: some PostgresQueryable) async throws {
        try await db.query("""
            INSERT INTO ledger.postings (transfer_id, account_id, amount)
            SELECT \(transfer), id, CASE code WHEN 'customer' THEN \(amount) ELSE -\(amount) END
            FROM ledger.accounts WHERE code IN ('customer', 'merchant')
            """)
    }

    @Test("an unbalanced transfer is refused, through the API and through raw SQL")
    func unbalanced() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            await expectLedgerError({ if case .unbalanced = $0 { true } else { false } }) {
                try await ledger.createTransfer(.init(id: UUID(), phase: .single, postings: [
                    Posting(accountCode: "bank", amountMinor: 100), Posting(accountCode: "merchant", amountMinor: -99),
                ]), on: db)
            }
            // Balanced in number but across currencies: still unbalanced per currency.
            await expectLedgerError({ if case .unbalanced = $0 { true } else { false } }) {
                try await ledger.createTransfer(.init(id: UUID(), phase: .single, postings: [
                    Posting(accountCode: "usd-bank", amountMinor: 100), Posting(accountCode: "merchant", amountMinor: -100),
                ]), on: db)
            }
            await expectLedgerError({ if case .unbalanced = $0 { true } else { false } }) {
                try await db.withTransaction { tx in
                    let id = UUID()
                    try await tx.query("INSERT INTO ledger.transfers (id, kind) VALUES (\(id), 'single')")
                    try await tx.query("""
                        INSERT INTO ledger.postings (transfer_id, account_id, amount)
                        SELECT \(id), id, 500 FROM ledger.accounts WHERE code = 'bank'
                        """)
                }
            }
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("postings cannot be added to a transfer after its transaction, and every statement balances")
    func postingsAddedLater() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let id = UUID()
            try await ledger.createTransfer(
                .init(id: id, phase: .single, postings: Posting.move(100, debit: "bank", credit: "merchant")), on: db)
            await expectLedgerError({ if case .postingsOutsideTransfer = $0 { true } else { false } }) {
                try await db.query("""
                    INSERT INTO ledger.postings (transfer_id, account_id, amount)
                    SELECT \(id), id, CASE code WHEN 'customer' THEN 7 ELSE -7 END
                    FROM ledger.accounts WHERE code IN ('customer', 'fees')
                    """)
            }
            // Postings and resolutions must name rows that exist.
            await expectLedgerError({ if case .unknownReference = $0 { true } else { false } }) {
                try await db.query("""
                    INSERT INTO ledger.postings (transfer_id, account_id, amount)
                    SELECT \(UUID()), id, CASE code WHEN 'bank' THEN 1 ELSE -1 END
                    FROM ledger.accounts WHERE code IN ('bank', 'merchant')
                    """)
            }
            await expectLedgerError({ if case .unknownReference = $0 { true } else { false } }) {
                try await db.withTransaction { tx in
                    let orphan = UUID()
                    try await tx.query("INSERT INTO ledger.transfers (id, kind) VALUES (\(orphan), 'single')")
                    try await tx.query("""
                        INSERT INTO ledger.postings (transfer_id, account_id, amount)
                        VALUES (\(orphan), 999999, 1), (\(orphan), (SELECT id FROM ledger.accounts WHERE code = 'bank'), -1)
                        """)
                }
            }
            await expectLedgerError({ if case .invalidResolution = $0 { true } else { false } }) {
                try await db.query("INSERT INTO ledger.transfers (id, kind, pending_id) VALUES (\(UUID()), 'void', \(UUID()))")
            }
            // Every statement must balance on its own: an unbalanced first half is refused even when a later
            // statement of the same transaction would have balanced it.
            await expectLedgerError({ if case .unbalanced = $0 { true } else { false } }) {
                try await db.withTransaction { tx in
                    let split = UUID()
                    try await tx.query("INSERT INTO ledger.transfers (id, kind) VALUES (\(split), 'single')")
                    try await tx.query("""
                        INSERT INTO ledger.postings (transfer_id, account_id, amount)
                        SELECT \(split), id, 5 FROM ledger.accounts WHERE code = 'bank'
                        """)
                    try await tx.query("""
                        INSERT INTO ledger.postings (transfer_id, account_id, amount)
                        SELECT \(split), id, -5 FROM ledger.accounts WHERE code = 'merchant'
                        """)
                }
            }
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("postings, transfers and balances are never updated or deleted directly")
    func appendOnly() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let isAppendOnly: (LedgerError) -> Bool = { if case .historyIsAppendOnly = $0 { true } else { false } }
            for statement: PostgresQuery in [
                "UPDATE ledger.postings SET amount = amount * 2",
                "DELETE FROM ledger.postings",
                "TRUNCATE ledger.postings CASCADE",
                "UPDATE ledger.transfers SET description = 'rewritten'",
                "DELETE FROM ledger.transfers",
                "UPDATE ledger.accounts SET posted_credits = posted_credits + 1000000 WHERE code = 'customer'",
                "UPDATE ledger.accounts SET currency = 'USD' WHERE code = 'customer'",
                "DELETE FROM ledger.accounts WHERE code = 'merchant'",
            ] {
                await expectLedgerError(isAppendOnly) { try await db.query(statement) }
            }
            // Limit flags may change; the CHECK constraints still hold for the balance the account has.
            try await db.query("UPDATE ledger.accounts SET debits_must_not_exceed_credits = false WHERE code = 'customer'")
            let customer = try #require(try await ledger.balance(of: "customer", on: db))
            #expect(customer.postedMinor == 10_000)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("a flagged account is never overdrawn, pending debits included")
    func overdraft() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let isInsufficient: (LedgerError) -> Bool = { if case .insufficientFunds = $0 { true } else { false } }
            await expectLedgerError(isInsufficient) {
                try await ledger.createTransfer(
                    .init(id: UUID(), phase: .single, postings: Posting.move(10_001, debit: "customer", credit: "merchant")),
                    on: db)
            }
            try await ledger.createTransfer(
                .init(id: UUID(), phase: .pending(timeoutSeconds: nil),
                      postings: Posting.move(6_000, debit: "customer", credit: "merchant")), on: db)
            await expectLedgerError(isInsufficient) {
                try await ledger.createTransfer(
                    .init(id: UUID(), phase: .pending(timeoutSeconds: nil),
                          postings: Posting.move(4_001, debit: "customer", credit: "merchant")), on: db)
            }
            // Raw SQL is held to the same rule.
            await expectLedgerError(isInsufficient) {
                try await db.withTransaction { tx in
                    let id = UUID()
                    try await tx.query("INSERT INTO ledger.transfers (id, kind) VALUES (\(id), 'single')")
                    try await rawPostings(customerToMerchant: 5_000, transfer: id, on: tx)
                }
            }
            let customer = try #require(try await ledger.balance(of: "customer", on: db))
            #expect(customer.postedMinor == 10_000)
            #expect(customer.availableMinor == 4_000)
        }
    }

    @Test("a pending transfer is resolved at most once, and a post never exceeds it")
    func resolution() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let pending = UUID()
            try await ledger.createTransfer(
                .init(id: pending, phase: .pending(timeoutSeconds: 3_600),
                      postings: Posting.move(1_000, debit: "customer", credit: "merchant")), on: db)
            let isInvalid: (LedgerError) -> Bool = { if case .invalidResolution = $0 { true } else { false } }
            await expectLedgerError(isInvalid) {
                try await ledger.postPending(id: UUID(), pendingID: pending, amountMinor: 1_001, on: db)
            }
            // Raw SQL posting more than was pending.
            await expectLedgerError(isInvalid) {
                try await db.withTransaction { tx in
                    let id = UUID()
                    try await tx.query("INSERT INTO ledger.transfers (id, kind, pending_id) VALUES (\(id), 'post', \(pending))")
                    try await rawPostings(customerToMerchant: 2_000, transfer: id, on: tx)
                }
            }
            await expectLedgerError(isInvalid) {
                try await ledger.postPending(id: UUID(), pendingID: UUID(), on: db)
            }
            // Expiring before the time is refused.
            await expectLedgerError(isInvalid) {
                try await db.query("INSERT INTO ledger.transfers (id, kind, pending_id) VALUES (\(UUID()), 'expire', \(pending))")
            }
            let post = try await ledger.postPending(id: UUID(), pendingID: pending, amountMinor: 700, on: db)
            #expect(!post.replayed)
            let isResolved: (LedgerError) -> Bool = { if case .alreadyResolved = $0 { true } else { false } }
            await expectLedgerError(isResolved) { try await ledger.voidPending(id: UUID(), pendingID: pending, on: db) }
            await expectLedgerError(isResolved) { try await ledger.postPending(id: UUID(), pendingID: pending, on: db) }
            await expectLedgerError(isResolved) {
                try await db.query("INSERT INTO ledger.transfers (id, kind, pending_id) VALUES (\(UUID()), 'void', \(pending))")
            }
            // A void cannot move money; a single transfer cannot be "resolved".
            let single = UUID()
            try await ledger.createTransfer(
                .init(id: single, phase: .single, postings: Posting.move(1, debit: "bank", credit: "merchant")), on: db)
            await expectLedgerError(isInvalid) { try await ledger.voidPending(id: UUID(), pendingID: single, on: db) }

            // The partial post moved 700 and released the other 300.
            let customer = try #require(try await ledger.balance(of: "customer", on: db))
            #expect(customer.postedMinor == 9_300)
            #expect(customer.pendingMinor == 0)
            #expect(customer.availableMinor == 9_300)
            let merchant = try #require(try await ledger.balance(of: "merchant", on: db))
            #expect(merchant.postedMinor == 701)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("a post in full moves its pending transfer's postings without copying them, and takes none of its own")
    func postInFull() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let pending = UUID(), post = UUID(), batched = UUID(), batchedPost = UUID()
            try await ledger.createTransfer(
                .init(id: pending, phase: .pending(timeoutSeconds: 3_600),
                      postings: Posting.move(1_000, debit: "customer", credit: "merchant")), on: db)
            try await ledger.createTransfer(
                .init(id: batched, phase: .pending(timeoutSeconds: 3_600),
                      postings: Posting.move(200, debit: "customer", credit: "fees")), on: db)
            #expect(try await !ledger.postPending(id: post, pendingID: pending, description: "vended", on: db).replayed)
            let batch = try await ledger.apply([.post(id: batchedPost, pendingID: batched, amountMinor: nil)], on: db)
            #expect((try? batch[0].get())?.replayed == false)

            // Neither post wrote postings; each reads as moving its pending transfer's.
            let stored = try await db.query("""
                SELECT count(*) FILTER (WHERE transfer_id IN (\(post), \(batchedPost))) AS own,
                       (SELECT count(*) FROM ledger.transfers WHERE id IN (\(post), \(batchedPost)) AND posts_in_full) AS in_full,
                       (SELECT sum(abs(amount)) FROM ledger.moved_postings(\(post))) AS moved
                FROM ledger.postings
                """).single()
            #expect(try stored.decode(Int.self, "own") == 0)
            #expect(try stored.decode(Int.self, "in_full") == 2)
            #expect(try stored.decode(Int64.self, "moved") == 2_000)
            let customer = try #require(try await ledger.balance(of: "customer", on: db))
            #expect(customer.postedMinor == 8_800 && customer.pendingMinor == 0 && customer.availableMinor == 8_800)
            let merchant = try #require(try await ledger.balance(of: "merchant", on: db))
            #expect(merchant.postedMinor == 1_000 && merchant.pendingMinor == 0)
            #expect(try await ledger.balance(of: "fees", on: db)?.postedMinor == 200)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)

            // A repeat returns the original; different content under its id is refused.
            #expect(try await ledger.postPending(id: post, pendingID: pending, description: "vended", on: db).replayed)
            await expectLedgerError({ if case .conflictingReplay = $0 { true } else { false } }) {
                try await ledger.postPending(id: post, pendingID: pending, description: "other", on: db)
            }
            // Postings added to a post in full, even in the transaction that wrote it, are refused.
            let third = UUID()
            try await ledger.createTransfer(
                .init(id: third, phase: .pending(timeoutSeconds: 3_600),
                      postings: Posting.move(50, debit: "customer", credit: "merchant")), on: db)
            await expectLedgerError({ if case .invalidResolution = $0 { true } else { false } }) {
                try await db.withTransaction { tx in
                    let id = UUID()
                    try await tx.query("SELECT * FROM ledger.post_pending(\(id), \(third))")
                    try await rawPostings(customerToMerchant: 50, transfer: id, on: tx)
                }
            }
            // …and a posting forged onto one (the triggers disabled) is reported by the checks.
            try await db.withConnection { session in
                try await session.query("SET session_replication_role = replica")
                try await rawPostings(customerToMerchant: 1, transfer: post, on: session)
                try await session.query("SET session_replication_role = origin")
            }
            let violations = try await ledger.invariantViolations(on: db)
            #expect(violations.contains { $0.contains("posts in full but has postings of its own") }, "\(violations)")
        }
    }

    @Test("pending transfers expire by the database clock, and cannot be posted after")
    func expiry() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let pending = UUID()
            try await ledger.createTransfer(
                .init(id: pending, phase: .pending(timeoutSeconds: 5),
                      postings: Posting.move(2_500, debit: "customer", credit: "merchant")), on: db)
            #expect(try await ledger.expireDue(on: db).isEmpty)
            #expect(try #require(try await ledger.balance(of: "customer", on: db)).availableMinor == 7_500)
            // Until the database's clock passes the deadline: five seconds, so that a loaded machine (the whole
            // suite on two cores once took more than the 1 s this used to give) still checks before it.
            for _ in 0..<100 {
                let expired = try await db.query("SELECT expires_at <= now() AS expired FROM ledger.transfers WHERE id = \(pending)")
                    .single().decode(Bool.self, "expired")
                if expired { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            await expectLedgerError({ if case .pendingExpired = $0 { true } else { false } }) {
                try await ledger.postPending(id: UUID(), pendingID: pending, on: db)
            }
            #expect(try await ledger.expireDue(on: db) == [pending])
            #expect(try await ledger.expireDue(on: db).isEmpty)
            let customer = try #require(try await ledger.balance(of: "customer", on: db))
            #expect(customer.availableMinor == 10_000)
            #expect(customer.pendingMinor == 0)
            #expect(try await ledger.invariantViolations(on: db).isEmpty)
        }
    }

    @Test("a repeated transfer id returns the original; different content under it is refused")
    func idempotentIDs() async throws {
        try await TestDatabase.with { db, _ in
            try await openAccounts(db)
            let transfer = TransferRequest(
                id: UUID(), phase: .single, postings: Posting.move(300, debit: "customer", credit: "merchant"),
                description: "order 17")
            let first = try await ledger.createTransfer(transfer, on: db)
            let again = try await ledger.createTransfer(transfer, on: db)
            #expect(!first.replayed)
            #expect(again.replayed)
            #expect(again.createdAt == first.createdAt)
            var altered = transfer
            altered.postings = Posting.move(301, debit: "customer", credit: "merchant")
            await expectLedgerError({ if case .conflictingReplay = $0 { true } else { false } }) {
                try await ledger.createTransfer(altered, on: db)
            }
            #expect(try #require(try await ledger.balance(of: "customer", on: db)).postedMinor == 9_700)

            let pending = UUID()
            try await ledger.createTransfer(
                .init(id: pending, phase: .pending(timeoutSeconds: nil), postings: Posting.move(50, debit: "customer", credit: "merchant")),
                on: db)
            let voidID = UUID()
            #expect(try await !ledger.voidPending(id: voidID, pendingID: pending, on: db).replayed)
            #expect(try await ledger.voidPending(id: voidID, pendingID: pending, on: db).replayed)
            #expect(try #require(try await ledger.balance(of: "customer", on: db)).availableMinor == 9_700)

            await expectLedgerError({ if case .conflictingReplay = $0 { true } else { false } }) {
                try await ledger.createAccount(.init(code: "merchant", currency: "USD", kind: .liability), on: db)
            }
            await expectLedgerError({ if case .unknownAccount = $0 { true } else { false } }) {
                try await ledger.createTransfer(
                    .init(id: UUID(), phase: .single, postings: Posting.move(1, debit: "nobody", credit: "merchant")), on: db)
            }
            await expectLedgerError({ if case .repeatedAccount = $0 { true } else { false } }) {
                try await ledger.createTransfer(
                    .init(id: UUID(), phase: .single, postings: Posting.move(1, debit: "merchant", credit: "merchant")), on: db)
            }
        }
    }
}
