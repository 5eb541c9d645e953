import CLibPQ
import Foundation

/// One libpq connection (`PGconn`) in pipeline mode.
///
/// Thread rule: a connection is used by exactly one thread, its `ConnectionWorker`'s, for its whole life. libpq
/// calls block, so they must never run on Swift's cooperative threads; the worker thread is where they block.
final class PostgresConnection {
    private let handle: OpaquePointer
    private let maxPreparedStatements: Int
    /// Statement name by SQL text and parameter types, for statements prepared on this connection.
    private var preparedStatements: [String: String] = [:]
    /// Names ever given on this connection; a name is never reused, even after its statement left the cache.
    private var preparedStatementCount = 0
    /// Set when results no longer line up with requests; the connection is then discarded.
    private var outOfStep = false

    private init(handle: OpaquePointer, maxPreparedStatements: Int) {
        self.handle = handle
        self.maxPreparedStatements = maxPreparedStatements
    }

    deinit {
        PQfinish(handle)
    }

    /// Opens a connection, prepares the session and (unless told otherwise) enters pipeline mode. Blocks the
    /// calling thread.
    static func connect(_ configuration: PostgresConfiguration, pipelineMode: Bool = true) throws(PostgresError)
        -> PostgresConnection
    {
        // Keywords before `dbname` are defaults: whatever the connection string says overrides them. The session's
        // settings come after it, so that they hold whatever the string says (a pooler that refuses them is told by
        // `startupOptions: false`, and the database's defaults give them instead).
        var keywords = ["connect_timeout", "application_name", "client_encoding", "dbname"]
        var values = [
            String(configuration.connectTimeoutSeconds), configuration.applicationName, "UTF8",
            configuration.connectionString,
        ]
        if configuration.startupOptions {
            var settings = SessionSettings.required
            settings.append(("statement_timeout", String(max(0, configuration.statementTimeoutMs))))
            if configuration.forceGenericPlans { settings.append(("plan_cache_mode", "force_generic_plan")) }
            keywords.append("options")
            values.append(SessionSettings.startupOptions(settings))
        }
        let handle = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else { throw .unavailable("libpq could not allocate a connection") }
        let connection = PostgresConnection(handle: handle, maxPreparedStatements: configuration.maxPreparedStatements)
        guard PQstatus(handle) == CONNECTION_OK else { throw .unavailable(connection.errorMessage) }
        // Notices ("relation already exists, skipping") would go to standard error unformatted; drop them.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        guard !pipelineMode || PQenterPipelineMode(handle) == 1 else { throw .unavailable(connection.errorMessage) }
        return connection
    }

    var errorMessage: String {
        guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var isBroken: Bool { outOfStep || PQstatus(handle) != CONNECTION_OK }

    /// Reads whatever the server sent while the connection was idle (for example the notice of a terminated
    /// backend) and says whether the connection is still usable. Does not block.
    func isAliveAfterIdle() -> Bool {
        PQconsumeInput(handle) == 1 && !isBroken
    }

    /// True when a transaction block was left open (or failed) on this connection.
    var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    // MARK: Pipelined statements (extended protocol, one Sync each)

    /// What sending one statement did: whether a Prepare went ahead of its Execute.
    struct SentStatement {
        let preparedNow: Bool
        let statementKey: String?
    }

    /// Queues one statement and its Sync into the pipeline. Throws `.invalidParameter` (nothing sent) or
    /// `.connectionLost` (the connection broke while sending).
    func send(_ query: PostgresQuery) throws(PostgresError) -> SentStatement {
        let types = query.bindings.map { $0.dataType.oid }
        var storage: [CChar] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(query.bindings.count)
        for binding in query.bindings {
            guard let text = binding.text else {
                offsets.append(nil)
                continue
            }
            // A NUL would silently cut the value short in C: refuse instead.
            guard !text.utf8.contains(0) else { throw .invalidParameter("a string parameter holds a NUL character") }
            offsets.append(storage.count)
            storage.append(contentsOf: text.utf8.map { CChar(bitPattern: $0) })
            storage.append(0)
        }
        guard !query.sql.utf8.contains(0) else { throw .invalidParameter("the statement holds a NUL character") }

        var preparedNow = false
        var statementKey: String?
        var statementName: String?
        if maxPreparedStatements > 0 {
            let key = types.isEmpty ? query.sql : query.sql + "\u{1}" + types.map(String.init).joined(separator: ",")
            statementKey = key
            if let name = preparedStatements[key] {
                statementName = name
            } else if preparedStatementCount < maxPreparedStatements {
                preparedStatementCount += 1
                let name = "transact_\(preparedStatementCount)"
                let sent = types.withUnsafeBufferPointer { typePointer in
                    PQsendPrepare(handle, name, query.sql, Int32(types.count), typePointer.baseAddress)
                }
                guard sent == 1 else { throw .connectionLost(errorMessage) }
                preparedStatements[key] = name
                statementName = name
                preparedNow = true
            }
        }

        let sent: Int32 = storage.withUnsafeBufferPointer { storagePointer in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { UnsafePointer(storagePointer.baseAddress! + $0) }
            }
            return pointers.withUnsafeBufferPointer { valuePointers in
                if let statementName {
                    return PQsendQueryPrepared(
                        handle, statementName, Int32(pointers.count), valuePointers.baseAddress, nil, nil, 0)
                }
                return types.withUnsafeBufferPointer { typePointer in
                    PQsendQueryParams(
                        handle, query.sql, Int32(pointers.count), typePointer.baseAddress, valuePointers.baseAddress,
                        nil, nil, 0)
                }
            }
        }
        guard sent == 1, PQpipelineSync(handle) == 1 else { throw .connectionLost(errorMessage) }
        return SentStatement(preparedNow: preparedNow, statementKey: statementKey)
    }

    /// Reads the results of one statement sent by `send`, through its Sync.
    func receive(_ sent: SentStatement) -> Result<PostgresRows, PostgresError> {
        var outcome: Result<PostgresRows, PostgresError>
        if sent.preparedNow {
            let prepared = readStatementResult()
            outcome = readStatementResult()
            if case .failure = prepared {
                outcome = prepared
            }
        } else {
            outcome = readStatementResult()
        }
        if case .failure(let error) = outcome, let key = sent.statementKey {
            switch error {
            case .server(let serverError) where sent.preparedNow || serverError.sqlState == .featureNotSupported
                || serverError.sqlState.code == "26000":
                // Failed to prepare, or the plan went stale after a schema change: prepare afresh next time.
                // The name stays reserved on the server until the connection closes; names are never reused.
                preparedStatements[key] = nil
            default:
                break
            }
        }
        if case .failure(.connectionLost) = outcome { return outcome }
        if let syncError = readSync() { return .failure(syncError) }
        return outcome
    }

    private func readStatementResult() -> Result<PostgresRows, PostgresError> {
        var outcome: Result<PostgresRows, PostgresError>?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                if outcome == nil { outcome = .success(rows(of: result)) }
            case PGRES_PIPELINE_ABORTED:
                outcome = .failure(.server(PostgresServerError(
                    sqlState: SQLState("25P02"), message: "statement skipped: an earlier statement in its pipeline failed")))
            case PGRES_PIPELINE_SYNC:
                return .failure(protocolConfusion("a Sync arrived before the statement's results"))
            default:
                if isBroken { return .failure(.connectionLost(errorMessage)) }
                outcome = .failure(.server(serverError(of: result)))
            }
        }
        if isBroken { return .failure(.connectionLost(errorMessage)) }
        return outcome ?? .failure(protocolConfusion("no result for a statement"))
    }

    /// Reads up to the statement's Sync. An error here is the implicit COMMIT failing (a deferred constraint, a
    /// serialization failure): the statement's work was rolled back, so it is the statement's outcome.
    private func readSync() -> PostgresError? {
        var commitError: PostgresError?
        // A NULL separates results; a few in a row without a Sync means the pipeline lost track.
        var nullsInARow = 0
        while nullsInARow < 3 {
            guard let result = PQgetResult(handle) else {
                if isBroken { return .connectionLost(errorMessage) }
                nullsInARow += 1
                continue
            }
            nullsInARow = 0
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_SYNC:
                return commitError
            case PGRES_FATAL_ERROR:
                if isBroken { return .connectionLost(errorMessage) }
                commitError = commitError ?? .server(serverError(of: result))
            default:
                break
            }
        }
        return protocolConfusion("missing pipeline Sync")
    }

    /// An unexpected protocol state: the connection is marked broken so that its worker replaces it.
    private func protocolConfusion(_ reason: String) -> PostgresError {
        outOfStep = true
        return .connectionLost("pipeline out of step (\(reason)); connection replaced")
    }

    // MARK: Simple protocol (several statements in one string, no parameters)

    /// Runs SQL text that may hold several statements, outside pipeline mode. Returns the last statement's rows.
    func executeSimpleOutsidePipeline(_ sql: String) throws(PostgresError) -> PostgresRows {
        guard PQexitPipelineMode(handle) == 1 else { throw .connectionLost(errorMessage) }
        defer { PQenterPipelineMode(handle) }
        return try executeSimple(sql)
    }

    func executeSimple(_ sql: String) throws(PostgresError) -> PostgresRows {
        guard !sql.utf8.contains(0) else { throw .invalidParameter("the statement holds a NUL character") }
        guard let result = PQexec(handle, sql) else { throw .connectionLost(errorMessage) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return rows(of: result)
        default:
            if isBroken { throw .connectionLost(errorMessage) }
            throw .server(serverError(of: result))
        }
    }

    // MARK: Notifications (connections outside pipeline mode only)

    var socketDescriptor: Int32 { PQsocket(handle) }

    /// Reads what arrived and returns the notifications received, or nil when the connection is broken.
    func receiveNotifications() -> [(channel: String, payload: String)]? {
        guard PQconsumeInput(handle) == 1, !isBroken else { return nil }
        var received: [(channel: String, payload: String)] = []
        while let notification = PQnotifies(handle) {
            received.append((String(cString: notification.pointee.relname), String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }

    // MARK: Results

    private func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = PostgresColumns(names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) })
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }

    private func serverError(of result: OpaquePointer) -> PostgresServerError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        return PostgresServerError(
            sqlState: SQLState(field("C") ?? "XX000"),
            message: field("M") ?? errorMessage,
            detail: field("D"),
            hint: field("H"),
            constraintName: field("n"),
            columnName: field("c"))
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the duration of the call.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
