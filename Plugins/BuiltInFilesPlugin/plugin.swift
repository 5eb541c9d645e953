import Foundation
import PackagePlugin

/// Builds the package's `Migrations/` folder and `openapi.yaml` into the `BuiltInFiles` module, so that the binary
/// migrates and documents itself from any working folder. The files on disk stay the source: every build
/// regenerates the module from them, and a changed file rebuilds it.
@main
struct BuiltInFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = context.package.directoryURL
        let migrations = root.appending(path: "Migrations")
        var paths = try sqlFiles(in: migrations).map { "Migrations/\($0)" }
        paths += try sqlFiles(in: migrations.appending(path: "repeatable")).map { "Migrations/repeatable/\($0)" }
        paths.append("openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInFiles+Contents.swift")
        return [
            .buildCommand(
                displayName: "Building Migrations/ and openapi.yaml into BuiltInFiles",
                executable: try context.tool(named: "BuiltInFilesGenerator").url,
                arguments: [output.path, root.path] + paths,
                inputFiles: paths.map { root.appending(path: $0) },
                outputFiles: [output])
        ]
    }

    private func sqlFiles(in folder: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
    }
}
