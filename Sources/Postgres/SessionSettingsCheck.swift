extension PostgresClient {
    /// A session of this pool whose settings are not those the service needs (`SessionSettings.required`).
    public struct SessionSettingsMismatch: Error, CustomStringConvertible {
        /// Name, value the session has, value required.
        public let differences: [(name: String, found: String, required: String)]

        public var description: String {
            "the database sessions lack the settings the service needs ("
                + differences.map { "\($0.name) is \($0.found), not \($0.required)" }.joined(separator: "; ")
                + "): without startup options (database.startupOptions: false, as behind PgBouncer) they must be the "
                + "database's own defaults, which `transact migrate` sets when its role may (ALTER DATABASE … SET)"
        }
    }

    /// Throws `SessionSettingsMismatch` unless a session of this pool has every required setting; a statement, not
    /// a session setting, so that behind a pooler it reads a server connection as a transaction would get it.
    public func requireSessionSettings() async throws {
        let names = SessionSettings.required.map(\.name)
        let row = try await query("SELECT array_agg(current_setting(name) ORDER BY position) AS found FROM unnest(\(names)::text[]) WITH ORDINALITY AS s(name, position)").single()
        let found = try row.decode([String].self, "found")
        let differences = zip(SessionSettings.required, found).filter { $0.0.value != $0.1 }
            .map { (name: $0.0.name, found: $0.1, required: $0.0.value) }
        guard differences.isEmpty else { throw SessionSettingsMismatch(differences: differences) }
    }
}
