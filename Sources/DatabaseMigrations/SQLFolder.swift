import Foundation

/// The `.sql` files of one folder (not its subfolders), by name, as UTF-8 text.
enum SQLFolder {
    /// `shownAs` prefixes a file's name in an error (`repeatable/`).
    static func read(_ folder: URL, shownAs prefix: String = "") throws(MigrationError) -> [(name: String, text: String)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .unreadableDirectory(folder.path, "\(error)")
        }
        var files: [(name: String, text: String)] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                let text = String(data: data, encoding: .utf8)
            else { throw .unreadableFile(prefix + name) }
            files.append((name, text))
        }
        return files
    }
}
