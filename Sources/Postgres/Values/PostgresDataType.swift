/// The PostgreSQL type of a bound parameter, by OID (`pg_type.oid`); values travel in text format.
public struct PostgresDataType: Hashable, Sendable {
    public let oid: UInt32

    public init(oid: UInt32) { self.oid = oid }

    /// Lets the server infer the type from the statement.
    public static let unspecified = PostgresDataType(oid: 0)
    public static let bool = PostgresDataType(oid: 16)
    public static let bytea = PostgresDataType(oid: 17)
    public static let int8 = PostgresDataType(oid: 20)
    public static let int2 = PostgresDataType(oid: 21)
    public static let int4 = PostgresDataType(oid: 23)
    public static let text = PostgresDataType(oid: 25)
    public static let json = PostgresDataType(oid: 114)
    public static let float8 = PostgresDataType(oid: 701)
    public static let int8Array = PostgresDataType(oid: 1016)
    public static let textArray = PostgresDataType(oid: 1009)
    public static let timestamptz = PostgresDataType(oid: 1184)
    public static let uuid = PostgresDataType(oid: 2950)
    public static let jsonb = PostgresDataType(oid: 3802)
}
