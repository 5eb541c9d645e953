public import DatabaseMigrations
import BuiltInFiles
import Foundation

extension ServerConfiguration {
    /// The database's definition this process works with: the configured migrations folder, or the one built into
    /// the binary when none is configured.
    public func databaseSchema() throws(MigrationError) -> DatabaseSchema {
        guard !migrationsDirectory.isEmpty else { return try .load(files: BuiltInFiles.files(under: "Migrations")) }
        return try .load(from: URL(fileURLWithPath: migrationsDirectory))
    }

    /// The OpenAPI document `GET /openapi.yaml` serves: the configured file, or the one built into the binary when
    /// none is configured; nil when a configured file cannot be read.
    public func openAPIDocument() -> String? {
        guard !openAPIDocumentPath.isEmpty else { return BuiltInFiles.text(of: "openapi.yaml") }
        return FileManager.default.contents(atPath: openAPIDocumentPath).map { String(decoding: $0, as: UTF8.self) }
    }
}
