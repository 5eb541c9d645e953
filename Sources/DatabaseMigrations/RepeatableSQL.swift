public import Foundation
import TransactCrypto

/// The repeatable part of the database's definition (DESIGN.md §4): functions, triggers and views, in the files of
/// `Migrations/repeatable/` (`NN_name.sql`, applied in that order). Unlike a numbered migration, the set is applied
/// again as a whole whenever any of it changed, so that fixing a function is an edit of its file, not a new
/// migration. Every statement in it is `CREATE OR REPLACE`.
public struct RepeatableSQL: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public let name: String
        public let sql: String

        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    public let files: [File]
    /// Lower-case hex SHA-256 of every file's name and text, in order: the set's identity.
    public let checksum: String

    public init(files: [File]) {
        self.files = files
        self.checksum = Hex.encode(SHA256.hash(files.map { "\($0.name)\u{0}\($0.sql)\u{0}" }.joined()))
    }

    public static let empty = RepeatableSQL(files: [])

    /// The subfolder of a migrations folder that holds the repeatable files.
    public static let folderName = "repeatable"

    /// Reads `repeatable/NN_name.sql` of a migrations folder, sorted by name; a folder without one has none.
    public static func load(fromMigrationsIn directory: URL) throws(MigrationError) -> RepeatableSQL {
        let folder = directory.appendingPathComponent(folderName)
        guard FileManager.default.fileExists(atPath: folder.path) else { return .empty }
        return try load(files: try SQLFolder.read(folder, shownAs: "\(folderName)/"))
    }

    /// The set made of the `.sql` files among `files` (name and text of each file of the repeatable folder).
    public static func load(files: [(name: String, text: String)]) throws(MigrationError) -> RepeatableSQL {
        var set: [File] = []
        for (name, sql) in files.sorted(by: { $0.name < $1.name }) where name.hasSuffix(".sql") {
            guard isFileName(name) else { throw .badRepeatableFileName("\(folderName)/\(name)") }
            set.append(File(name: name, sql: sql))
        }
        return RepeatableSQL(files: set)
    }

    /// `NN_lower_case_name.sql`: two digits that order the set, then a name.
    static func isFileName(_ name: String) -> Bool {
        let stem = name.utf8.dropLast(".sql".utf8.count)
        guard stem.count > 3, stem.prefix(2).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            stem.dropFirst(2).first == UInt8(ascii: "_")
        else { return false }
        return stem.dropFirst(3).allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }
}

/// The database's definition as one build has it: the numbered migrations (tables, constraints, data; forward-only)
/// and the repeatable set (functions, triggers, views; re-applied as a whole when it changes).
public struct DatabaseSchema: Sendable, Equatable {
    public let migrations: [Migration]
    public let repeatable: RepeatableSQL

    public init(migrations: [Migration], repeatable: RepeatableSQL = .empty) {
        self.migrations = migrations
        self.repeatable = repeatable
    }

    /// The whole definition's fingerprint: every migration's version and checksum, and the repeatable set's. Two
    /// databases migrated from schemas with one checksum are alike.
    public var checksum: String {
        Hex.encode(SHA256.hash(migrations.map { "\($0.version)\u{0}\($0.checksum)\u{0}" }.joined() + repeatable.checksum))
    }

    /// Both parts of a `Migrations/` folder.
    public static func load(from directory: URL) throws(MigrationError) -> DatabaseSchema {
        DatabaseSchema(
            migrations: try Migration.load(from: directory), repeatable: try RepeatableSQL.load(fromMigrationsIn: directory))
    }

    /// Both parts of a migrations folder given as its files: each one's path below the folder (`0001_x.sql`,
    /// `repeatable/00_y.sql`) and text. Files in any other subfolder are ignored, as they are on disk.
    public static func load(files: [(path: String, text: String)]) throws(MigrationError) -> DatabaseSchema {
        /// The files directly in `folder` ("" for the top), by name.
        func directlyIn(_ folder: String) -> [(name: String, text: String)] {
            let prefix = folder.isEmpty ? "" : folder + "/"
            return files.compactMap { file in
                guard file.path.hasPrefix(prefix) else { return nil }
                let name = String(file.path.dropFirst(prefix.count))
                return name.contains("/") ? nil : (name, file.text)
            }
        }
        return DatabaseSchema(
            migrations: try Migration.load(files: directlyIn("")),
            repeatable: try RepeatableSQL.load(files: directlyIn(RepeatableSQL.folderName)))
    }
}
