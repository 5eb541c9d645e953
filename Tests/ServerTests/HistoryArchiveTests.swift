import Foundation
import Postgres
import TestSupport
import Testing
import TransactCrypto

/// `transact archive` (issue 15, point 5) on a database whose history reaches back four months: the months past the
/// retention leave whole, exported and checked, unless something they record is still unsettled; purchases and
/// their keys stay.
@Suite("transact archive")
struct HistoryArchiveTests {
    /// A month `ago` months before this one (UTC), as SQL.
    static func month(_ ago: Int) -> String {
        "((date_trunc('month', now() AT TIME ZONE 'UTC') - interval '\(ago) months') AT TIME ZONE 'UTC')"
    }

    /// History in the months four and three back: purchase A (opened four months back, success, settled) and B
    /// (opened three months back, still vending, with its job), a message's status changes and their callbacks
    /// (the older acknowledged, the newer pending), and an audit entry in each month. Written as the purchase
    /// functions would have, without them (the replica role skips the triggers, so nothing is recorded twice).
    static func writeOldHistory(on database: PostgresClient) async throws {
        try await database.withConnection { session in
            _ = try await session.execute(script: """
                SELECT retention.add_partitions(\(month(4)), now());
                SET session_replication_role = replica;
                INSERT INTO purchases.transactions (
                    raas_txn_ref, client_id, client_txn_ref, flow, request_fingerprint, state, state_cause, product_id,
                    vendor_id, funding_source_id, channel_id, channel_name, channel_session_id, source_identifier,
                    target_identifier, currency_code, purchase_amount, fee_amount, request_timestamp, reserve_amount,
                    result_recipient, created_at, final_at)
                VALUES
                    ('a0000000-0000-4000-8000-000000000001', 1, 'old-a', 'reserve_and_transact', repeat('a', 64),
                     'success', 'vended', 1, 1, 1, 1, 'USSD', 's', '27820000001', '27820000001', 'ZAR', 1000, 0,
                     '2026-01-01T00:00:00Z', 1000, 'funding_source', \(month(4)) + interval '1 day',
                     \(month(4)) + interval '1 day 1 second'),
                    ('b0000000-0000-4000-8000-000000000002', 1, 'old-b', 'reserve_and_transact', repeat('b', 64),
                     'vending', 'vend attempt 0 started', 1, 1, 1, 1, 'USSD', 's', '27820000002', '27820000002', 'ZAR',
                     1000, 0, '2026-01-01T00:00:00Z', 1000, NULL, \(month(3)) + interval '1 day', NULL);
                INSERT INTO purchases.jobs (raas_txn_ref, kind, due_at, client_id, source_identifier, purchase_created_at,
                                            target_identifier, product_id, purchase_amount)
                VALUES ('b0000000-0000-4000-8000-000000000002', 'vend', 'infinity', 1, '27820000002',
                        \(month(3)) + interval '1 day', '27820000002', 1, 1000);
                INSERT INTO purchases.state_changes (raas_txn_ref, sequence, state, cause, changed_at) VALUES
                    ('a0000000-0000-4000-8000-000000000001', 1, 'received', 'accepted', \(month(4)) + interval '1 day'),
                    ('a0000000-0000-4000-8000-000000000001', 2, 'success', 'vended', \(month(4)) + interval '1 day 1 second'),
                    ('b0000000-0000-4000-8000-000000000002', 1, 'received', 'accepted', \(month(3)) + interval '1 day');
                INSERT INTO purchases.calls (raas_txn_ref, called_at, party, operation, outcome, latency_ms) VALUES
                    ('a0000000-0000-4000-8000-000000000001', \(month(4)) + interval '1 day', 'bank', 'reserveFunds', '0000', 12),
                    ('a0000000-0000-4000-8000-000000000001', \(month(4)) + interval '1 day 2 seconds', 'bank',
                     'transactResult', 'HTTP 200', 15),
                    ('b0000000-0000-4000-8000-000000000002', \(month(3)) + interval '1 day', 'bank', 'reserveFunds', '0000', 9);
                INSERT INTO notifications.status_changes (notification_id, sequence, status_code, cause, changed_at) VALUES
                    ('c0000000-0000-4000-8000-000000000003', 1, 2, 'accepted', \(month(4)) + interval '2 days'),
                    ('c0000000-0000-4000-8000-000000000003', 2, 4, 'delivered', \(month(3)) + interval '2 days');
                INSERT INTO notifications.callbacks (notification_id, sequence, changed_at, client_id, status) VALUES
                    ('c0000000-0000-4000-8000-000000000003', 1, \(month(4)) + interval '2 days', 1, 'acknowledged'),
                    ('c0000000-0000-4000-8000-000000000003', 2, \(month(3)) + interval '2 days', 1, 'pending');
                INSERT INTO support.audit_log (at, actor_client_id, channel, action) VALUES
                    (\(month(4)) + interval '3 days', 1, 'api', 'search'), (\(month(3)) + interval '3 days', 1, 'api', 'search');
                RESET session_replication_role;
                """)
        }
    }

    static func names(on database: PostgresClient) async throws -> (four: String, three: String, beforeTwo: String) {
        let row = try await database.query("""
            SELECT to_char(\(unescaped: month(4)) AT TIME ZONE 'UTC', '"_p"YYYY_MM') AS four,
                   to_char(\(unescaped: month(3)) AT TIME ZONE 'UTC', '"_p"YYYY_MM') AS three,
                   to_char(\(unescaped: month(2)) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS before_two
            """).single()
        return (try row.decode(String.self, "four"), try row.decode(String.self, "three"),
                try row.decode(String.self, "before_two"))
    }

    static func exists(_ table: String, on database: PostgresClient) async throws -> Bool {
        try await database.query("SELECT to_regclass(\(table)) IS NOT NULL AS found").single().decode(Bool.self, "found")
    }

    @Test("months past the retention are exported, checked and dropped; an unsettled purchase, a pending callback and the retention keep theirs; purchases and their keys stay")
    func archiveMonths() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TransactProcess.executable.path), "build the transact product first")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("transact-archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestDatabase.with { database, testDatabase in
            try await Self.writeOldHistory(on: database)
            let (four, three, beforeTwo) = try await Self.names(on: database)
            let environment = ["TRANSACT_RETENTION_HISTORY_DAYS": "30"]
            func archive(_ arguments: [String]) async throws -> TransactProcess.Outcome {
                try await TransactProcess.run(["archive", "--database-url", testDatabase.connectionString] + arguments,
                                              environment: environment)
            }

            // Inside the retention: refused, nothing taken.
            let today = try await database.query("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d").single()
                .decode(String.self, "d")
            let refused = try await archive(["--before", today])
            #expect(refused.status != 0 && refused.output.contains("is inside the retention"), "\(refused.output)")
            #expect(try await Self.exists("purchases.state_changes" + four, on: database))

            // A dry run says what would go and what stays, and why.
            let dry = try await archive(["--before", beforeTwo, "--dry-run"])
            #expect(dry.status == 2, "\(dry.output)")
            for table in ["purchases.state_changes", "purchases.calls", "notifications.status_changes",
                          "notifications.callbacks", "support.audit_log"] {
                #expect(dry.output.contains("would go: \(table)\(four)"), "\(dry.output)")
            }
            #expect(dry.output.contains("would go: support.audit_log\(three)"), "\(dry.output)")
            #expect(dry.output.contains("stays: purchases.calls\(three)"))
            #expect(dry.output.contains("purchase b0000000-0000-4000-8000-000000000002 (opened "))
            #expect(dry.output.contains("is vending: its day is not settled"))
            #expect(dry.output.contains("stays: notifications.callbacks\(three)"))
            #expect(dry.output.contains("has its status callback 2 still pending"))
            #expect(try await Self.exists("purchases.state_changes" + four, on: database))

            // Exported, counted and dropped: the file holds the month's rows, its checksum beside it, and loads back.
            let run = try await archive(["--before", beforeTwo, "--to", folder.path])
            #expect(run.status == 2, "\(run.output)")
            #expect(run.output.contains("exported and dropped: purchases.state_changes\(four)"), "\(run.output)")
            let file = folder.appendingPathComponent("purchases.state_changes\(four).jsonl")
            let bytes = try Data(contentsOf: file)
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 2)
            let checksum = try String(contentsOf: folder.appendingPathComponent(file.lastPathComponent + ".sha256"), encoding: .utf8)
            let digest = SHA256.hash(Array(bytes)).map { String(format: "%02x", $0) }.joined()
            #expect(checksum == "\(digest)  \(file.lastPathComponent)\n")
            let restored = try await database.withConnection { session in
                try await session.query("CREATE TEMPORARY TABLE restored (LIKE purchases.state_changes)")
                for line in lines {
                    try await session.query("""
                        INSERT INTO restored SELECT * FROM jsonb_populate_record(NULL::restored, \(String(line))::jsonb)
                        """)
                }
                return try await session.query("SELECT string_agg(state, ',' ORDER BY sequence) AS states FROM restored")
                    .single().decode(String.self, "states")
            }
            #expect(restored == "received,success")
            for table in ["purchases.state_changes", "purchases.calls", "notifications.status_changes",
                          "notifications.callbacks", "support.audit_log"] {
                #expect(try await !Self.exists(table + four, on: database), "\(table)\(four) is still there")
            }
            #expect(try await !Self.exists("support.audit_log" + three, on: database))
            #expect(try await Self.exists("purchases.calls" + three, on: database))
            #expect(try await Self.exists("notifications.callbacks" + three, on: database))

            // Settled, the rest goes; without --to it moves to the schema archive, whole.
            try await database.withConnection { session in
                _ = try await session.execute(script: """
                    SET session_replication_role = replica;
                    DELETE FROM purchases.jobs WHERE raas_txn_ref = 'b0000000-0000-4000-8000-000000000002';
                    UPDATE purchases.transactions SET state = 'failed', final_at = created_at + interval '1 minute'
                    WHERE raas_txn_ref = 'b0000000-0000-4000-8000-000000000002';
                    UPDATE notifications.callbacks SET status = 'acknowledged'
                    WHERE notification_id = 'c0000000-0000-4000-8000-000000000003';
                    RESET session_replication_role;
                    """)
            }
            let rest = try await archive(["--before", beforeTwo])
            #expect(rest.status == 0, "\(rest.output)")
            #expect(rest.output.contains("moved to the schema archive: purchases.calls\(three)"), "\(rest.output)")
            // Each month taken is in the audit log, by the operator, with its file and checksum when exported.
            let audited = try await database.query("""
                SELECT target, detail FROM support.audit_log
                WHERE channel = 'cli' AND action = 'archive history month' AND operator IS NOT NULL ORDER BY id
                """).map { try ($0.decode(String.self, "target"), $0.decode(String.self, "detail")) }
            #expect(audited.contains { $0.0 == "purchases.state_changes\(four)" && $0.1.contains("sha256 ") && $0.1.hasSuffix("dropped") })
            #expect(audited.contains { $0.0 == "purchases.calls\(three)" && $0.1 == "moved to the schema archive" })
            let kept = try await database.query("SELECT count(*) AS rows FROM archive.purchases_calls\(unescaped: three)")
                .single().decode(Int.self, "rows")
            #expect(kept == 1)
            let nothing = try await archive(["--before", beforeTwo])
            #expect(nothing.status == 0 && nothing.output.contains("No month of the history ends on or before"))

            // transact verify does not miss the delivery attempts that left with their month.
            let violations = try await database.query(
                "SELECT v FROM purchases.invariant_violations() v WHERE v LIKE '%never attempted%'")
            #expect(violations.isEmpty)

            // The purchases stay, and a clientTxnRef is still taken once.
            let purchases = try await database.query("SELECT count(*) AS n FROM purchases.transactions").single()
                .decode(Int.self, "n")
            #expect(purchases == 2)
            await #expect(throws: PostgresError.self) {
                try await database.withConnection { session in
                    _ = try await session.execute(script: """
                        SET session_replication_role = replica;
                        INSERT INTO purchases.transactions (
                            raas_txn_ref, client_id, client_txn_ref, flow, request_fingerprint, state, state_cause,
                            product_id, funding_source_id, channel_id, channel_name, channel_session_id,
                            source_identifier, target_identifier, currency_code, purchase_amount, request_timestamp)
                        VALUES (gen_random_uuid(), 1, 'old-a', 'reserve_and_transact', repeat('c', 64), 'received',
                                'accepted', 1, 1, 1, 'USSD', 's', '27820000001', '27820000001', 'ZAR', 1000, 'x');
                        """)
                }
            }
        }
    }

    @Test("the history is partitioned by month, with the months ahead made and a default partition")
    func partitionsAhead() async throws {
        try await TestDatabase.with { database, _ in
            let rows = try await database.query("""
                SELECT h.history::text AS history,
                       count(*) FILTER (WHERE p.from_time >= date_trunc('month', now())
                                          AND p.from_time <= now() + interval '3 months') AS ahead,
                       count(*) FILTER (WHERE p.from_time IS NULL) AS defaults
                FROM retention.history_tables h LEFT JOIN retention.partitions p ON p.history = h.history
                GROUP BY 1 ORDER BY 1
                """)
            #expect(rows.count == 5)
            for row in rows {
                let history = try row.decode(String.self, "history")
                #expect(try row.decode(Int.self, "ahead") == 4, "\(history)")
                #expect(try row.decode(Int.self, "defaults") == 1, "\(history)")
            }
            // A row is written in its month's partition, and the upkeep makes nothing twice.
            let written = try await database.query("""
                INSERT INTO support.audit_log (actor_client_id, channel, action) VALUES (1, 'api', 'x')
                RETURNING tableoid::regclass::text AS partition
                """).single().decode(String.self, "partition")
            let expected = try await database.query("""
                SELECT 'support.audit_log' || to_char(now() AT TIME ZONE 'UTC', '"_p"YYYY_MM') AS name
                """).single().decode(String.self, "name")
            #expect(written == expected)
            let added = try await database.query("""
                SELECT retention.add_partitions(now(), now() + interval '3 months') AS added
                """).single().decode(Int.self, "added")
            #expect(added == 0)
        }
    }
}
