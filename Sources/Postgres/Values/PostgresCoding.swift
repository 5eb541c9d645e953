/// A Swift value that can be bound as a statement parameter. Values travel in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    static var postgresDataType: PostgresDataType { get }
    /// The value's text form; `nil` binds SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Builds the value from its (non-NULL) text form, or throws `PostgresError.decoding`.
    init(postgresText text: String) throws
}

/// A NULL parameter of a given type: `Optional.none` binds as `NULL::<Wrapped's type>`.
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { Wrapped.postgresDataType }
    public var postgresText: String? {
        switch self {
        case .none: nil
        case .some(let value): value.postgresText
        }
    }
}

/// One bound parameter as it goes to libpq.
public struct PostgresBinding: Sendable {
    public let dataType: PostgresDataType
    public let text: String?

    public init(_ value: some PostgresEncodable) {
        self.dataType = type(of: value).postgresDataType
        self.text = value.postgresText
    }

    public init(dataType: PostgresDataType, text: String?) {
        self.dataType = dataType
        self.text = text
    }
}

func decodingError<T>(_ type: T.Type, _ text: String) -> PostgresError {
    .decoding("'\(text.prefix(64))' is not a valid \(T.self)")
}
