import Foundation
import Postgres
import Support

/// An administrative command's record in the audit log (issue 16, point 5), written on the session of the change
/// it records, so that both commit or neither does. Never given a secret: the commands print new secrets and keys
/// once and the record says only that they changed.
struct CommandAudit {
    private let log: AuditLog

    init(on session: PostgresSession) {
        log = AuditLog(database: session, channel: .commandLine)
    }

    func record(_ action: String, target: String? = nil, detail: String? = nil) async throws {
        try await log.record(byOperator: Self.operatorIdentity, action, target: target, detail: detail)
    }

    /// Who runs the command: the login behind `sudo` when there is one, else the effective user, at this machine's
    /// host name (`alice@db-admin-1`). What the machine says, not a credential: whoever may run `transact` against
    /// the database could write to it anyway; the record says which account did.
    static let operatorIdentity: String = {
        let user = ProcessInfo.processInfo.environment["SUDO_USER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? getpwuid(geteuid()).flatMap { String(validatingCString: $0.pointee.pw_name) }
            ?? "uid \(geteuid())"
        var host = [CChar](repeating: 0, count: 256)
        let hostName = gethostname(&host, host.count - 1) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown host"
        return String("\(user)@\(hostName)".prefix(200))
    }()
}
