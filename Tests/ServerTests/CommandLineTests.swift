import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Postgres
import TestSupport
import Testing

/// The `transact` executable, run as a process, as an operator would.
@Suite("transact migrate and serve")
struct CommandLineTests {
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("transact")
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Outcome {
        let status: Int32
        let output: String
    }

    /// Starts `transact` in the project folder with the given environment added; its output goes to a file, so
    /// that nothing here blocks a cooperative thread waiting on a pipe.
    static func start(
        _ arguments: [String], environment: [String: String], onExit: (@Sendable () -> Void)? = nil
    ) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = projectRoot
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

    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        var started: (Process, URL)?
        await withCheckedContinuation { (exited: CheckedContinuation<Void, Never>) in
            do {
                started = try start(arguments, environment: environment) { exited.resume() }
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

    static let masterKey = String(repeating: "ab", count: 32)

    @Test("serve refuses to start without a valid TRANSACT_MASTER_KEY")
    func masterKeyRequired() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the transact product first")
        let missing = try await Self.run(["serve", "--database-url", "dbname=unused"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("TRANSACT_MASTER_KEY is not set"))
        let short = try await Self.run(["serve", "--database-url", "dbname=unused"], environment: ["TRANSACT_MASTER_KEY": "abc"])
        #expect(short.status != 0)
        #expect(short.output.contains("64 hexadecimal characters"))
    }

    @Test("serve refuses a database whose migrations are behind; after migrate and seed it serves and stops on SIGTERM")
    func migrateThenServe() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the transact product first")
        try await TestDatabase.with(migrated: false) { _, database in
            let url = database.connectionString
            let refused = try await Self.run(["serve", "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(refused.status != 0)
            #expect(refused.output.contains("run `transact migrate`"), "\(refused.output)")

            let migrated = try await Self.run(["migrate", "--database-url", url])
            #expect(migrated.status == 0, "\(migrated.output)")
            #expect(migrated.output.contains("Applied 0001_ledger.sql"))
            let again = try await Self.run(["migrate", "--database-url", url])
            #expect(again.output.contains("Database is current"))

            // The demo seed loads into the migrated database; a bad file is refused naming the entry.
            let seedWithoutKey = try await Self.run(["seed", "Config/demo-seed.yaml", "--database-url", url])
            #expect(seedWithoutKey.status != 0 && seedWithoutKey.output.contains("TRANSACT_MASTER_KEY"))
            let seeded = try await Self.run(
                ["seed", "Config/demo-seed.yaml", "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(seeded.status == 0, "\(seeded.output)")
            #expect(seeded.output.contains("Loaded Config/demo-seed.yaml: 3 clients, 4 products"))
            let badFile = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
            try "clients:\n  - { clientId: 7, name: X, role: nobody }\n".write(to: badFile, atomically: true, encoding: .utf8)
            let badSeed = try await Self.run(
                ["seed", badFile.path, "--database-url", url], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            #expect(badSeed.status != 0)
            #expect(badSeed.output.contains("clients[0] (clientId 7): role: must be one of"), "\(badSeed.output)")

            let port = Int.random(in: 20_000...40_000)
            let (server, _) = try Self.start(
                ["serve", "--database-url", url, "--port", String(port)], environment: ["TRANSACT_MASTER_KEY": Self.masterKey])
            var readyStatus: Int?
            for _ in 0..<100 where readyStatus == nil {
                try await Task.sleep(for: .milliseconds(100))
                let request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/health/ready")!)
                if let (_, response) = try? await URLSession.shared.data(for: request) {
                    readyStatus = (response as? HTTPURLResponse)?.statusCode
                }
            }
            #expect(readyStatus == 200)
            server.terminate()  // SIGTERM: graceful shutdown
            for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!server.isRunning)
            #expect(server.terminationStatus == 0)
        }
    }
}
