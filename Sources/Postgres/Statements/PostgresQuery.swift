/// A statement and its bound parameters. Written as a string literal whose interpolations become parameters,
/// so a value can never be spliced into SQL text:
///
///     let rows = try await db.query("SELECT balance FROM ledger.accounts WHERE code = \(code)")
///
/// Trusted SQL fragments (identifiers chosen by code, never by input) go in with `\(unescaped:)`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var bindings: [PostgresBinding]

    public init(sql: String, bindings: [PostgresBinding] = []) {
        self.sql = sql
        self.bindings = bindings
    }

    public init(stringLiteral value: String) {
        self.init(sql: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(sql: stringInterpolation.sql, bindings: stringInterpolation.bindings)
    }

    /// The SQL only: parameter values may be secrets and never appear in logs.
    public var description: String { sql }

    /// Appends a fragment written by code (a filter chosen by the caller, say), its parameters numbered after this
    /// statement's own: `$1` of the fragment becomes `$(n + 1)`. Values stay parameters; only SQL text is joined.
    public mutating func append(_ fragment: PostgresQuery) {
        let offset = bindings.count
        var renumbered = ""
        var index = fragment.sql.startIndex
        while index < fragment.sql.endIndex {
            let character = fragment.sql[index]
            index = fragment.sql.index(after: index)
            renumbered.append(character)
            guard character == "$" else { continue }
            let digits = fragment.sql[index...].prefix(while: \.isASCIIDigit)
            guard let number = Int(digits) else { continue }
            renumbered += String(number + offset)
            index = digits.endIndex
        }
        sql += renumbered
        bindings += fragment.bindings
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var bindings: [PostgresBinding] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            bindings.append(PostgresBinding(value))
            sql += "$\(bindings.count)"
        }

        /// `nil` binds SQL NULL of the wrapped type.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bindings.append(PostgresBinding(value))
            sql += "$\(bindings.count)"
        }

        public mutating func appendInterpolation(unescaped fragment: String) {
            sql += fragment
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
