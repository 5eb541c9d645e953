public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `transact` executable, run as a process, as an operator would (and killed as a machine would).
public enum TransactProcess {
    public static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("transact")
    public static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
    }

    /// Starts `transact` in `directory` (the project folder unless told) with the given environment added; its
    /// output goes to a file, so that nothing here blocks a cooperative thread waiting on a pipe.
    public static func start(
        _ arguments: [String], environment: [String: String], in directory: URL = projectRoot,
        onExit: (@Sendable () -> Void)? = nil
    ) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        merged["TRANSACT_MASTER_KEY"] = nil
        merged.merge(environment) { $1 }
        process.environment = merged
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("transact-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        if let onExit { process.terminationHandler = { _ in onExit() } }
        try process.run()
        return (process, output)
    }

    public static func run(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL = projectRoot
    ) async throws -> Outcome {
        var started: (Process, URL)?
        await withCheckedContinuation { (exited: CheckedContinuation<Void, Never>) in
            do {
                started = try start(arguments, environment: environment, in: directory) { exited.resume() }
            } catch {
                exited.resume()
            }
        }
        guard let (process, output) = started else { throw CocoaError(.executableLoad) }
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: output)
        return Outcome(status: process.terminationStatus, output: text)
    }

    /// One HTTP exchange with a live server.
    public static func http(_ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:]) async throws
        -> (status: Int, body: String)
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
