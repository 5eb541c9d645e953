public import Foundation
import TransactCrypto

/// One forward-only schema change: `Migrations/NNNN_name.sql`, applied once, in version order, in its own
/// transaction, and remembered with the SHA-256 of its text so that a later edit is noticed.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public let checksum: String

    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Hex.encode(SHA256.hash(sql))
    }

    /// Reads every `NNNN_name.sql` file of a folder, sorted by version. Any other `.sql` file, or two files with
    /// one version, is an error: a typo must not silently skip a migration.
    public static func load(from directory: URL) throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadableDirectory(directory.path, "\(error)")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            guard let (version, name) = parse(fileName: fileName) else { throw .badFileName(fileName) }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(fileName).path),
                let sql = String(data: data, encoding: .utf8)
            else { throw .unreadableFile(fileName) }
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
