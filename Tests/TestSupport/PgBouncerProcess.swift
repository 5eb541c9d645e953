import Foundation

/// A real PgBouncer (Debian's `pgbouncer`, 1.18) in transaction mode on loopback, in front of the test cluster that
/// `scripts/test`'s pg_virtualenv names in PGHOST, PGPORT, PGUSER and PGPASSWORD; stopped when released.
public final class PgBouncerProcess: @unchecked Sendable {
    public static let executable = "/usr/sbin/pgbouncer"
    public let port: Int
    private let process: Process
    private let folder: URL

    /// Starts it and waits until it takes connections.
    public init() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = environment["PGHOST"] ?? "localhost"
        let user = environment["PGUSER"] ?? "postgres"
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgbouncer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = Int.random(in: 46_000...52_000)
        let server = "host=\(host) port=\(environment["PGPORT"] ?? "5432") user=\(user)"
            + (environment["PGPASSWORD"].map { " password=\($0)" } ?? "")
        try """
            [databases]
            * = \(server)
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(folder.path)/users.txt
            pool_mode = transaction
            max_client_conn = 200
            default_pool_size = 6
            admin_users = \(user)
            """.write(to: folder.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        try "\"\(user)\" \"\"\n".write(to: folder.appendingPathComponent("users.txt"), atomically: true, encoding: .utf8)
        // PgBouncer refuses to run as root; Debian's package has its user ready for it.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = (getuid() == 0 ? ["-u", "postgres"] : []) + [folder.appendingPathComponent("pgbouncer.ini").path]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        for _ in 0..<100 {
            if try await admin("SHOW VERSION").contains("PgBouncer") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(.executableLoad)
    }

    deinit {
        process.terminate()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A command of PgBouncer's admin console (`SHOW STATS`, …), through psql: its unaligned output.
    public func admin(_ command: String) async throws -> String {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = ["-h", "127.0.0.1", "-p", String(port), "-d", "pgbouncer", "-At", "-c", command]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("psql-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        psql.standardOutput = handle
        psql.standardError = handle
        try psql.run()
        while psql.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        try handle.close()
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }
}
