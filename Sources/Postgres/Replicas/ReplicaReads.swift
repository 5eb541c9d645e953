import Synchronization

/// Reads that go to a hot standby when it has replayed everything the primary had committed when the read was
/// asked for, and to the primary otherwise: read-your-writes for every caller, whichever process acknowledged the
/// write. Before each read the primary's WAL position is taken by a probe that started after the read was asked
/// for (`FreshValue`: one probe per round of concurrent readers), and compared with the standby's replay position,
/// probed the same way and at the same time (replay only moves forward, so a replay position read no later than the
/// read itself that is at or past the primary's is safe). A standby that is behind, unreachable or not a standby at
/// all sends the read to the primary. `lookupUrl` should name one standby: a replay position is that server's.
public final class ReplicaReads: PostgresQueryable {
    private let primary: PostgresClient
    private let replica: PostgresClient
    private let primaryPosition: FreshValue<WALPosition>
    private let replicaPosition: FreshValue<WALPosition?>
    private let counts = Mutex((replica: 0, primary: 0))
    private let lag = Mutex<UInt64?>(nil)

    public init(primary: PostgresClient, replica: PostgresClient) {
        self.primary = primary
        self.replica = replica
        primaryPosition = FreshValue {
            let text = try await primary.read("SELECT pg_current_wal_lsn()::text AS position").single()
                .decode(String.self, "position")
            guard let position = WALPosition(text) else { throw PostgresError.decoding("not a WAL position: \(text)") }
            return position
        }
        replicaPosition = FreshValue {
            // NULL on a server that is not in recovery: not a standby whose replay can be compared.
            let text = try await replica.read("SELECT pg_last_wal_replay_lsn()::text AS position").single()
                .decode(String?.self, "position")
            return text.flatMap(WALPosition.init)
        }
    }

    /// How many reads the standby and the primary answered.
    public var served: (replica: Int, primary: Int) { counts.withLock { $0 } }

    /// How far the standby's replay was behind the primary's position at the last read, in bytes of WAL (0 when it
    /// had caught up; nil before the first read and while the standby cannot say).
    public var lastLagBytes: UInt64? { lag.withLock { $0 } }

    public func read(_ query: PostgresQuery) async throws -> PostgresRows {
        async let replayed = try? replicaPosition.value()
        let needed = try await primaryPosition.value()
        let replayedPosition = await replayed ?? nil
        lag.withLock { $0 = replayedPosition.map { needed.value > $0.value ? needed.value - $0.value : 0 } }
        if let replayed = replayedPosition, replayed >= needed {
            do {
                let rows = try await replica.read(query)
                counts.withLock { $0.replica += 1 }
                return rows
            } catch let error as PostgresError where error.isUnavailable {
                // The standby went away between the check and the read: the primary answers.
            }
        }
        let rows = try await primary.read(query)
        counts.withLock { $0.primary += 1 }
        return rows
    }

    /// Only reads come here (the lookups and the catalogue): a query is a read.
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await read(query)
    }
}
