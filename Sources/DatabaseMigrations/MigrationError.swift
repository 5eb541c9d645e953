/// Why migrations cannot be applied, or why a database does not match the code. Every case names the file.
public enum MigrationError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreadableDirectory(String, String)
    case unreadableFile(String)
    case badFileName(String)
    case badRepeatableFileName(String)
    case duplicateVersion(Int, String, String)
    /// An applied migration's file was edited afterwards.
    case checksumChanged(file: String, applied: String, now: String)
    /// The database has a migration this code does not know that is not a newer build's (it is not after every
    /// migration this code knows, or some of those are missing): another line of migrations.
    case unknownApplied(version: Int, name: String)
    /// A migration failed; it was rolled back and no later one was tried.
    case failed(file: String, reason: String)
    /// A file of the repeatable set failed; the whole set was rolled back.
    case repeatableFailed(file: String, reason: String)
    /// `serve` refuses a database whose migrations are behind.
    case pending([String])

    public var description: String {
        switch self {
        case .unreadableDirectory(let path, let reason): "cannot read the migrations folder \(path): \(reason)"
        case .unreadableFile(let file): "cannot read migration \(file) as UTF-8 text"
        case .badFileName(let file): "migration file \(file) is not named NNNN_lower_case_name.sql"
        case .badRepeatableFileName(let file): "repeatable file \(file) is not named NN_lower_case_name.sql"
        case .duplicateVersion(let version, let first, let second):
            "migrations \(first) and \(second) share version \(version)"
        case .checksumChanged(let file, let applied, let now):
            "migration \(file) was changed after it was applied (checksum \(applied.prefix(12))… applied, "
                + "\(now.prefix(12))… now); migrations are forward-only: restore the file and add a new migration"
        case .unknownApplied(let version, let name):
            "the database has migration \(Migration.fileName(version: version, name: name)), which this build does not know "
                + "and which does not come after all of this build's: it was migrated from another line of migrations"
        case .failed(let file, let reason): "migration \(file) failed and was rolled back: \(reason)"
        case .repeatableFailed(let file, let reason):
            "repeatable file \(file) failed and the whole repeatable set was rolled back: \(reason)"
        case .pending(let files):
            "the database schema is behind (pending: \(files.joined(separator: ", "))); run `transact migrate` first"
        }
    }
}
