import Foundation

/// A PostgreSQL primary and a hot standby streaming from it (`pg_basebackup -R`), both this test's own, on loopback:
/// real replication, whose replay a test can pause (`pg_wal_replay_pause()` on the standby). Stopped and removed
/// by `stop()` (`with` does it). As root (scripts/test), the servers run as `postgres`, as PostgreSQL requires.
public final class ReplicatedCluster: Sendable {
    static let binaries = "/usr/lib/postgresql/15/bin"
    public let primaryPort: Int
    public let standbyPort: Int
    private let folder: URL

    public var primaryURL: String { "host=127.0.0.1 port=\(primaryPort) dbname=postgres user=postgres connect_timeout=30" }
    public var standbyURL: String { "host=127.0.0.1 port=\(standbyPort) dbname=postgres user=postgres connect_timeout=30" }

    public init() async throws {
        folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("replicated-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try await Self.run("/bin/chown", ["postgres:postgres", folder.path]) }
        primaryPort = Int.random(in: 52_001...56_000)
        standbyPort = primaryPort + 4_000
        let primary = folder.appendingPathComponent("primary").path
        let standby = folder.appendingPathComponent("standby").path
        try await Self.asPostgres("initdb", ["-D", primary, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        try """
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(folder.path)'
            fsync = off
            wal_level = replica
            max_wal_senders = 4
            hot_standby = on
            """.appendLine(to: primary + "/postgresql.conf")
        try await start(primary, port: primaryPort)
        try await Self.asPostgres("pg_basebackup", [
            "-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", standby, "-R", "-X", "stream",
            "-c", "fast", "--no-sync",
        ])
        try await start(standby, port: standbyPort)
    }

    /// Stops both servers (immediate shutdown) and removes their files; call it when done.
    public func stop() async {
        for server in ["standby", "primary"] {
            try? await Self.asPostgres("pg_ctl", ["-D", folder.appendingPathComponent(server).path, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Stops the standby (immediate shutdown), as a crash would.
    public func stopStandby() async throws {
        try await Self.asPostgres("pg_ctl", ["-D", folder.appendingPathComponent("standby").path, "-m", "immediate", "-w", "stop"])
    }

    /// Runs `body` with a new cluster, stopped and removed however `body` ends.
    public static func with(_ body: (ReplicatedCluster) async throws -> Void) async throws {
        let cluster = try await ReplicatedCluster()
        do {
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private func start(_ dataDirectory: String, port: Int) async throws {
        try await Self.asPostgres("pg_ctl", [
            "-D", dataDirectory, "-o", "-p \(port)", "-l", dataDirectory + ".log", "-w", "-t", "60", "start",
        ])
    }

    private static func asPostgres(_ binary: String, _ arguments: [String]) async throws {
        let path = "\(binaries)/\(binary)"
        if getuid() == 0 {
            try await run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try await run(path, arguments)
        }
    }

    /// Runs a command to its end, its output dropped. Spawned and reaped here rather than through `Process`, whose
    /// watch on its child was seen to miss the exit of `pg_ctl start` (a child left a zombie, the test waiting on it).
    private static func run(_ executable: String, _ arguments: [String]) async throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // In /tmp (env -C): the caller's folder may be one the postgres user cannot enter.
        let argv = (["/usr/bin/env", "-C", "/tmp", executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else { throw failure(executable, arguments, "could not start: \(spawned)") }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(120)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                throw failure(executable, arguments, "did not end within 120 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Exited normally (no signal) with status 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else { throw failure(executable, arguments, "ended with \(status)") }
    }

    private static func failure(_ executable: String, _ arguments: [String], _ what: String) -> any Error {
        CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments) \(what)"])
    }
}

extension String {
    fileprivate func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + self + "\n").utf8))
        try handle.close()
    }
}
