/// Everything that can go wrong talking to PostgreSQL, split by what the caller can do about it.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// The server refused the statement; nothing it would have written was kept.
    case server(PostgresServerError)
    /// The connection broke after the request was sent: the outcome is unknown (it may have committed).
    case connectionLost(String)
    /// The database cannot be reached at the moment; the request was never sent. Fails fast while reconnecting.
    case unavailable(String)
    /// The pool's queue limit was reached; the request was never sent.
    case overloaded(queued: Int)
    /// The client was shut down; the request was never sent.
    case shutDown
    /// A bound value cannot travel to libpq (for example a string holding a NUL character); nothing was sent.
    case invalidParameter(String)
    /// A row did not hold what the caller asked for.
    case decoding(String)

    /// The server error, when the server produced one.
    public var serverError: PostgresServerError? {
        if case .server(let error) = self { return error }
        return nil
    }

    /// The SQLSTATE of a server error, when there is one.
    public var sqlState: SQLState? { serverError?.sqlState }

    /// True when the database is, or may be, out of reach: the HTTP layer answers 503 for these.
    public var isUnavailable: Bool {
        switch self {
        case .connectionLost, .unavailable, .overloaded, .shutDown: true
        case .server(let error): error.sqlState.isConnectionClass
        case .invalidParameter, .decoding: false
        }
    }

    /// True when the statement's connection broke under it, or the server ended the session (57P01 after
    /// `pg_terminate_backend`, a fast shutdown or a fail-over): another connection may well succeed.
    public var isLostConnection: Bool {
        switch self {
        case .connectionLost, .unavailable: true
        case .server(let error): error.sqlState.isConnectionClass
        case .overloaded, .shutDown, .invalidParameter, .decoding: false
        }
    }

    public var description: String {
        switch self {
        case .server(let error): error.description
        case .connectionLost(let reason): "connection to PostgreSQL lost, outcome unknown: \(reason)"
        case .unavailable(let reason): "PostgreSQL unavailable: \(reason)"
        case .overloaded(let queued): "PostgreSQL request queue full (\(queued) queued)"
        case .shutDown: "PostgreSQL client shut down"
        case .invalidParameter(let reason): "invalid query parameter: \(reason)"
        case .decoding(let reason): "cannot decode PostgreSQL value: \(reason)"
        }
    }
}

/// The fields of a PostgreSQL ErrorResponse that callers act on or log.
public struct PostgresServerError: Sendable, CustomStringConvertible {
    public let sqlState: SQLState
    public let message: String
    public let detail: String?
    public let hint: String?
    public let constraintName: String?
    public let columnName: String?

    public init(
        sqlState: SQLState, message: String, detail: String? = nil, hint: String? = nil, constraintName: String? = nil,
        columnName: String? = nil
    ) {
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraintName = constraintName
        self.columnName = columnName
    }

    public var description: String {
        var text = "\(sqlState.code): \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }
}

/// A five-character SQLSTATE code (https://www.postgresql.org/docs/current/errcodes-appendix.html).
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) { self.code = code }

    public static let uniqueViolation = SQLState("23505")
    public static let checkViolation = SQLState("23514")
    public static let foreignKeyViolation = SQLState("23503")
    public static let notNullViolation = SQLState("23502")
    public static let exclusionViolation = SQLState("23P01")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let raiseException = SQLState("P0001")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let featureNotSupported = SQLState("0A000")
    public static let duplicateDatabase = SQLState("42P04")
    /// `lock_timeout` expired, or `NOWAIT` found the lock taken.
    public static let lockNotAvailable = SQLState("55P03")

    /// Errors after which the whole transaction may simply be tried again.
    public var isTransient: Bool { self == .serializationFailure || self == .deadlockDetected }

    /// Class 08 (connection exception) and 57P0x (operator intervention that ends the session).
    var isConnectionClass: Bool { code.hasPrefix("08") || code.hasPrefix("57P0") }

    public var description: String { code }
}
