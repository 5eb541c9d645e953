public import Foundation
public import Postgres
import TransactCrypto

/// `transact archive` (issue 15, point 5): the months of the append-only history that are past the retention leave
/// the database whole, each exported first when there is a folder to keep them in. The rules are the database's
/// (Migrations/repeatable/06_retention.sql): what may go, and the check, under lock, that a month still may and
/// still holds what was exported when it is detached.
public struct HistoryArchive: Sendable {
    let database: PostgresClient
    /// Days of history always kept, back from today (UTC); the database never keeps fewer than 30.
    let retentionDays: Int

    public init(database: PostgresClient, retentionDays: Int) {
        self.database = database
        self.retentionDays = retentionDays
    }

    /// A month of one history table, and why it may not go yet (nothing: it may).
    public struct Month: Sendable {
        /// `purchases.state_changes_p2026_01`, say.
        public let partition: String
        public let from: String
        public let until: String
        public let blockers: [String]
    }

    /// What `before` (a UTC day, YYYY-MM-DD) would take: every month of the history wholly before it, oldest
    /// first. Fails with `beforeInsideRetention` when the day is inside the retention.
    public func plan(before day: String) async throws -> [Month] {
        let bounds = try await database.query("""
            SELECT \(day)::date::timestamp AT TIME ZONE 'UTC' <= k AS allowed,
                   to_char(k AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS kept_since
            FROM retention.kept_since(\(Int32(clamping: retentionDays))) k
            """).single()
        guard try bounds.decode(Bool.self, "allowed") else {
            throw ArchiveRefusal.beforeInsideRetention(
                day: day, keptSince: try bounds.decode(String.self, "kept_since"), retentionDays: retentionDays)
        }
        return try await database.query("""
            SELECT p.partition::text AS partition,
                   purchases.api_time(p.from_time) AS from_time, purchases.api_time(p.until) AS until,
                   (SELECT string_agg(b, E'\\n') FROM retention.blockers(p.partition) b) AS blockers
            FROM retention.partitions p
            WHERE p.until <= \(day)::date::timestamp AT TIME ZONE 'UTC'
            ORDER BY p.from_time, p.history::text
            """).map { row in
            Month(
                partition: try row.decode(String.self, "partition"),
                from: try row.decode(String.self, "from_time"), until: try row.decode(String.self, "until"),
                blockers: (try row.decode(String?.self, "blockers"))?.split(separator: "\n").map(String.init) ?? [])
        }
    }

    /// A month written to a file: one JSON object per row, as `to_jsonb` gives it (its columns by name, so the file
    /// loads back into the table as it is then: `jsonb_populate_record`), and the file's SHA-256 beside it in
    /// `sha256sum`'s format.
    public struct ExportedFile: Sendable {
        public let file: URL
        public let rows: Int64
        public let bytes: Int64
        public let sha256: String
    }

    /// Writes `month` to `<directory>/<partition>.jsonl` (under a temporary name, flushed to disk and renamed once
    /// complete, so that a file under its own name is always whole), reading it through a cursor in one snapshot.
    public func export(_ month: Month, to directory: URL) async throws -> ExportedFile {
        let file = directory.appendingPathComponent(month.partition + ".jsonl")
        let partial = directory.appendingPathComponent(month.partition + ".jsonl.partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw ArchiveRefusal.cannotWrite(partial.path)
        }
        let handle = try FileHandle(forWritingTo: partial)
        let digest = SHA256.Stream()
        var rows: Int64 = 0
        var bytes: Int64 = 0
        do {
            try await database.withTransaction(isolation: .repeatableRead, maxAttempts: 1) { session in
                // `partition` names a history partition the database listed: an identifier, never input.
                try await session.query("""
                    DECLARE archived NO SCROLL CURSOR FOR
                    SELECT to_jsonb(r)::text AS line FROM ONLY \(unescaped: month.partition) r
                    """)
                while true {
                    let batch = try await session.query("FETCH \(unescaped: String(Self.rowsPerFetch)) FROM archived")
                    if batch.isEmpty { break }
                    var chunk: [UInt8] = []
                    for row in batch {
                        chunk.append(contentsOf: try row.decode(String.self, "line").utf8)
                        chunk.append(UInt8(ascii: "\n"))
                    }
                    try handle.write(contentsOf: chunk)
                    digest.update(chunk)
                    rows += Int64(batch.count)
                    bytes += Int64(chunk.count)
                }
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        let sha256 = digest.finish().map { String(format: "%02x", $0) }.joined()
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: partial, to: file)
        let checksum = sha256 + "  " + file.lastPathComponent + "\n"
        try Data(checksum.utf8).write(to: directory.appendingPathComponent(file.lastPathComponent + ".sha256"),
                                      options: .atomic)
        return ExportedFile(file: file, rows: rows, bytes: bytes, sha256: sha256)
    }

    /// Takes `month` out of its table: dropped when `exportedRows` says how many rows its file holds (the database
    /// checks the count under lock first), else moved to the schema `archive`. The database checks again that it
    /// may go. Detaching locks the whole table for a moment, and the database waits at most a second for that
    /// lock (the table's writes queue behind the wait): a busy moment is tried again, a few times. `audit` runs in
    /// the same transaction, so that the month leaves with its record in the audit log or not at all.
    public func detach(
        _ month: Month, before day: String, exportedRows: Int64?,
        audit: (PostgresSession) async throws -> Void = { _ in }
    ) async throws {
        var attempt = 1
        while true {
            do {
                return try await database.withTransaction(maxAttempts: 1) { session in
                    // Counting a large month may take longer than a request's statement timeout.
                    try await session.query("SET LOCAL statement_timeout = 0")
                    try await session.query("""
                        SELECT retention.detach(\(month.partition)::regclass, \(day)::date::timestamp AT TIME ZONE 'UTC',
                                                \(Int32(clamping: retentionDays)), \(exportedRows), \(exportedRows == nil))
                        """)
                    try await audit(session)
                }
            } catch let error as PostgresError where error.sqlState == .lockNotAvailable && attempt < Self.lockAttempts {
                attempt += 1
                try await Task.sleep(for: .seconds(attempt))
            }
        }
    }

    static let rowsPerFetch = 5_000
    static let lockAttempts = 5
}

/// Why `transact archive` takes nothing.
public enum ArchiveRefusal: Error, CustomStringConvertible {
    case beforeInsideRetention(day: String, keptSince: String, retentionDays: Int)
    case cannotWrite(String)

    public var description: String {
        switch self {
        case let .beforeInsideRetention(day, keptSince, retentionDays):
            "--before \(day) is inside the retention (retention.historyDays \(retentionDays), never under 30: the "
                + "lookup window): the history from \(keptSince) on is kept; give \(keptSince) or earlier"
        case let .cannotWrite(path):
            "cannot create \(path)"
        }
    }
}
