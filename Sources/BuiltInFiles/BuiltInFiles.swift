import Foundation

/// The package's files that the binary carries (`Migrations/` and `openapi.yaml`), built in by the
/// `BuiltInFilesPlugin` from the files on disk, so that `transact` migrates and serves its document from any folder.
public enum BuiltInFiles {
    /// Every built-in file of `folder` (for example `Migrations`), below it: path relative to the folder and text.
    public static func files(under folder: String) -> [(path: String, text: String)] {
        contents.compactMap { file in
            guard file.path.hasPrefix(folder + "/") else { return nil }
            return (String(file.path.dropFirst(folder.count + 1)), text(file.base64))
        }
    }

    /// The text of one built-in file, by its path under the package; nil when it was not built in.
    public static func text(of path: String) -> String? {
        contents.first { $0.path == path }.map { text($0.base64) }
    }

    private static func text(_ base64: String) -> String {
        // The generator wrote what Foundation encoded; it decodes.
        String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
    }
}
