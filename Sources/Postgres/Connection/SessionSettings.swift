/// The settings every session of the service runs with. The decoders rely on the first four (timestamps in UTC and
/// ISO format, floats with full precision); JIT is off because short OLTP statements never repay its compile time
/// (measured: 160 ms to compile a batch statement that then runs in 5 ms).
///
/// They reach a session in one of two ways, neither of them a `SET` that would outlive a transaction on a pooled
/// server connection: as startup options of the connection (`-c name=value`, the default), or, behind a pooler that
/// refuses startup options (PgBouncer 1.18), as the database's own defaults (`ALTER DATABASE … SET`, which the
/// migration `0022_session_defaults.sql` makes), checked by `PostgresClient.requireSessionSettings()`.
public enum SessionSettings {
    /// Name and value of each setting the decoders or the plans need, as `current_setting` shows them.
    public static let required: [(name: String, value: String)] = [
        ("TimeZone", "UTC"), ("DateStyle", "ISO, YMD"), ("IntervalStyle", "iso_8601"), ("extra_float_digits", "3"),
        ("jit", "off"),
    ]

    /// The libpq `options` value that sets `settings` at connection start (spaces in a value escaped, as libpq
    /// splits the options on unescaped white space).
    static func startupOptions(_ settings: [(name: String, value: String)]) -> String {
        settings.map { "-c \($0.name)=\($0.value.replacingOccurrences(of: " ", with: "\\ "))" }.joined(separator: " ")
    }
}
