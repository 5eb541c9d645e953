public import Foundation
import TransactCrypto

/// One forward-only schema change: `Migrations/NNNN_name.sql`, applied once, in version order, and remembered with
/// the SHA-256 of its text so that a later edit is noticed.
///
/// A migration runs inside the transaction of its run (`MigrationRunner`) unless its first line is
/// `-- transact:no-transaction`: then it runs on its own, outside any transaction, as one statement (the extended
/// protocol refuses several), which is what `CREATE INDEX CONCURRENTLY` needs on a table in use. Such a statement
/// must be safe to repeat (`IF NOT EXISTS`): a process stopped after it and before its bookkeeping runs it again.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public let checksum: String
    /// False when the file starts with `noTransactionMarker`.
    public let runsInTransaction: Bool

    /// The first line that takes a migration out of its run's transaction.
    public static let noTransactionMarker = "-- transact:no-transaction"

    public var fileName: String { Self.fileName(version: version, name: name) }

    public static func fileName(version: Int, name: String) -> String { String(format: "%04d_%@.sql", version, name) }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Hex.encode(SHA256.hash(sql))
        let firstLine = sql.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        self.runsInTransaction = firstLine.trimmingCharacters(in: .whitespaces) != Self.noTransactionMarker
    }

    /// Reads every `NNNN_name.sql` file of a folder, sorted by version. Any other `.sql` file, or two files with
    /// one version, is an error: a typo must not silently skip a migration.
    public static func load(from directory: URL) throws(MigrationError) -> [Migration] {
        try load(files: try SQLFolder.read(directory))
    }

    /// The migrations among `files` (name and text of each file of a migrations folder; other files are ignored),
    /// sorted by version, with the same refusals as reading the folder.
    public static func load(files: [(name: String, text: String)]) throws(MigrationError) -> [Migration] {
        var migrations: [Migration] = []
        for (fileName, sql) in files.sorted(by: { $0.name < $1.name }) where fileName.hasSuffix(".sql") {
            guard let (version, name) = parse(fileName: fileName) else { throw .badFileName(fileName) }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw .duplicateVersion(version, clash.fileName, fileName)
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }

    private static func parse(fileName: String) -> (Int, String)? {
        let stem = fileName.dropLast(".sql".count)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCII), let version = Int(parts[0]),
            version > 0, !parts[1].isEmpty,
            parts[1].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        else { return nil }
        return (version, String(parts[1]))
    }
}
