import Foundation
import Postgres
import TestSupport
import Testing
import TransactCore

/// `database.lookupUrl` on a real hot standby (`ReplicatedCluster`: pg_basebackup, streaming replication), with its
/// replay paused to make it certainly behind: the lookups and the catalogue never read what is older than a write
/// already acknowledged.
@Suite("Lookups on a hot standby: read-your-writes")
struct ReplicaReadsTests {
    /// Waits until the standby has replayed everything the primary has written.
    func caughtUp(_ primary: PostgresClient, _ standby: PostgresClient) async throws {
        let target = try await primary.query("SELECT pg_current_wal_lsn()::text AS p").single().decode(String.self, "p")
        for _ in 0..<400 {
            let done = try await standby.query("SELECT pg_last_wal_replay_lsn() >= \(target)::pg_lsn AS done").single()
                .decode(Bool.self, "done")
            if done { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the standby did not catch up")
    }

    @Test("a write acknowledged on the primary is read from the primary while the standby has not replayed it, from the standby once it has, and from the primary when the standby is gone")
    func readYourWrites() async throws {
        try await ReplicatedCluster.with { cluster in try await readYourWrites(on: cluster) }
    }

    func readYourWrites(on cluster: ReplicatedCluster) async throws {
        let primary = PostgresClient(configuration: PostgresConfiguration(connectionString: cluster.primaryURL, poolSize: 2))
        let standby = PostgresClient(configuration: PostgresConfiguration(connectionString: cluster.standbyURL, poolSize: 2))
        defer { Task { await primary.shutdown(); await standby.shutdown() } }
        try await primary.query("CREATE TABLE acknowledged (n int)")
        try await caughtUp(primary, standby)
        let reads = ReplicaReads(primary: primary, replica: standby)
        func count() async throws -> Int {
            try await reads.read("SELECT count(*) AS n FROM acknowledged").single().decode(Int.self, "n")
        }
        #expect(try await count() == 0)
        #expect(reads.served.replica == 1 && reads.served.primary == 0)

        try await standby.query("SELECT pg_wal_replay_pause()")
        try await primary.query("INSERT INTO acknowledged VALUES (1)")
        // The standby itself does not have it yet; reads through ReplicaReads, however many at once, do.
        #expect(try await standby.query("SELECT count(*) AS n FROM acknowledged").single().decode(Int.self, "n") == 0)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await count() } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 1, count: 20))
        #expect(reads.served.primary == 20)

        try await standby.query("SELECT pg_wal_replay_resume()")
        try await caughtUp(primary, standby)
        #expect(try await count() == 1)
        #expect(reads.served.replica == 2)

        try await cluster.stopStandby()
        #expect(try await count() == 1)
        #expect(reads.served.primary == 21)
    }

    @Test("In-Flight Check and Transaction Lookup find a purchase the standby has not replayed; the catalogue is not refilled from it")
    func lookupsAndCatalogue() async throws {
        try await ReplicatedCluster.with { cluster in
            try await LookupHarness.withReplica(cluster) { harness in try await lookupsAndCatalogue(on: cluster, harness) }
        }
    }

    func lookupsAndCatalogue(on cluster: ReplicatedCluster, _ harness: LookupHarness) async throws {
        let standby = PostgresClient(configuration: PostgresConfiguration(connectionString: cluster.standbyURL, poolSize: 1))
        defer { Task { await standby.shutdown() } }
        try await caughtUp(harness.db, standby)
        try await harness.serve { client in
            // The catalogue, read once while the standby is current.
            #expect(try await harness.dependencies.catalogue.catalogue().products[110] != nil)
            try await standby.query("SELECT pg_wal_replay_pause()")
            let reference = try await harness.addPurchase(
                "acknowledged-1", buyer: "27821111111", target: "27822222222", state: "vending")
            let onStandby = try await standby.query("""
                SELECT count(*) AS n FROM purchases.transactions WHERE raas_txn_ref = \(reference)::uuid
                """).single().decode(Int.self, "n")
            #expect(onStandby == 0)
            let lookup = try await harness.get(client, "/lookup-api/2.0?clientId=200&raasTxnRef=\(reference)")
            #expect(lookup.status == .ok && lookup.object["transactionStatus"] as? String == "PENDING", "\(lookup.text)")
            let inFlight = try await harness.post(
                client, "/in-flight-transaction-check/1.0", InFlightCheckTests.body(source: "27821111111", target: "27822222222"))
            #expect(inFlight.status == .ok && inFlight.text.contains(reference), "\(inFlight.text)")

            // A catalogue change while the standby is behind: the refill after its notification reads the primary.
            try await harness.db.query("UPDATE catalogue.products SET description = 'Changed on the primary' WHERE product_id = 110")
            harness.dependencies.catalogue.invalidate()
            #expect(try await harness.dependencies.catalogue.catalogue().products[110]?.description == "Changed on the primary")
            try await standby.query("SELECT pg_wal_replay_resume()")
        }
    }
}
