import Foundation

// Writes the Swift source of `BuiltInFiles.contents`: each file given, by its path under the package, as base64
// (any bytes survive, and the checksums computed from the decoded text are those of the files on disk).
// Usage: BuiltInFilesGenerator OUTPUT PACKAGE_ROOT PATH...
let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: BuiltInFilesGenerator OUTPUT PACKAGE_ROOT PATH...\n".utf8))
    exit(64)
}
let root = URL(fileURLWithPath: arguments[2])
var source = """
    // Generated at build time by the BuiltInFilesPlugin from the package's files; do not edit.
    extension BuiltInFiles {
        static let contents: [(path: String, base64: String)] = [

    """
for path in arguments.dropFirst(3) {
    guard let data = FileManager.default.contents(atPath: root.appending(path: path).path) else {
        FileHandle.standardError.write(Data("BuiltInFilesGenerator: cannot read \(path)\n".utf8))
        exit(1)
    }
    source += "        (\"\(path)\", \"\(data.base64EncodedString())\"),\n"
}
source += "    ]\n}\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: arguments[1]), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("BuiltInFilesGenerator: cannot write \(arguments[1]): \(error)\n".utf8))
    exit(1)
}
