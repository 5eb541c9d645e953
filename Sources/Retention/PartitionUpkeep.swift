public import Logging
public import Postgres
public import ServiceLifecycle

/// Makes the history's month partitions ahead of time (Migrations/0023): at start and every `interval`, the months
/// from this one through `monthsAhead` on, in every process that serves (the database lets one at a time do it).
/// A month must exist before its first row: one written beyond the months made goes to the table's default
/// partition, and a month can no longer be made once the default partition holds rows of it.
public struct PartitionUpkeep: Service {
    let database: PostgresClient
    let interval: Duration
    let monthsAhead: Int
    let logger: Logger

    public init(database: PostgresClient, interval: Duration = .seconds(3_600), monthsAhead: Int = 3, logger: Logger) {
        self.database = database
        self.interval = interval
        self.monthsAhead = monthsAhead
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await addMonths()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func addMonths() async {
        do {
            let added = try await database.query("""
                SELECT retention.add_partitions(now(), now() + make_interval(months => \(Int32(clamping: monthsAhead))))
                    AS added
                """).single().decode(Int.self, "added")
            if added > 0 { logger.info("Made the history's partitions for the months ahead", metadata: ["added": "\(added)"]) }
        } catch {
            // Tried again at the next interval; the months are made well ahead of their first row.
            logger.warning("Could not make the history's partitions for the months ahead", metadata: ["error": "\(error)"])
        }
    }
}
