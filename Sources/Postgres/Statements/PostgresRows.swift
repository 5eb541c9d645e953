/// The outcome of one statement: its rows (possibly none) and the number of rows it affected.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: PostgresColumns
    public let rows: [PostgresRow]
    /// Rows inserted, updated, deleted or selected, as the server's command tag reports them.
    public let affectedRows: Int

    init(columns: PostgresColumns, rows: [PostgresRow], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }

    /// The single row a statement must return, or a decoding error naming what was found instead.
    public func single() throws -> PostgresRow {
        guard rows.count == 1 else { throw PostgresError.decoding("expected exactly one row, got \(rows.count)") }
        return rows[0]
    }
}

/// Column names of a result, shared by its rows.
public final class PostgresColumns: Sendable {
    public let names: [String]
    private let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        var indexByName: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexByName[name] == nil {
            indexByName[name] = index
        }
        self.indexByName = indexByName
    }

    func index(of name: String) throws -> Int {
        guard let index = indexByName[name] else { throw PostgresError.decoding("no column named '\(name)'") }
        return index
    }
}

/// One row, its values in text form. Decode by position or by column name:
///
///     let id = try row.decode(Int64.self, "id")
///     let note = try row.decode(String?.self, "note")   // NULL → nil
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    /// Text values by column position; `nil` is SQL NULL.
    public let values: [String?]

    init(columns: PostgresColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard values.indices.contains(index) else { throw PostgresError.decoding("no column at position \(index)") }
        guard let text = values[index] else {
            throw PostgresError.decoding("column '\(columns.names[index])' is NULL, expected \(T.self)")
        }
        do {
            return try T(postgresText: text)
        } catch PostgresError.decoding(let reason) {
            throw PostgresError.decoding("column '\(columns.names[index])': \(reason)")
        }
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type, at index: Int) throws -> T? {
        guard values.indices.contains(index) else { throw PostgresError.decoding("no column at position \(index)") }
        guard values[index] != nil else { return nil }
        return try decode(T.self, at: index)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, _ column: String) throws -> T {
        try decode(type, at: columns.index(of: column))
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type, _ column: String) throws -> T? {
        try decode(type, at: columns.index(of: column))
    }
}
