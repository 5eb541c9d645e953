/// Why a seed file was refused: which file, which entry, which field. Nothing of the file was loaded.
public struct SeedError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// For example `clients[1] (clientId 9001)`; empty for the document as a whole.
    public let entry: String
    public let field: String?
    public let reason: String

    public init(file: String, entry: String, field: String?, reason: String) {
        self.file = file
        self.entry = entry
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var location = file
        if !entry.isEmpty { location += ": " + entry }
        if let field { location += ": " + field }
        return location + ": " + reason
    }
}
