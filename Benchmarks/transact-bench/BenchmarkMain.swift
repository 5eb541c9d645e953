import DatabaseMigrations
import Foundation
import Ledger
import Postgres
import Synchronization

/// Throughput benchmarks for the PostgreSQL client and the ledger. Run through `scripts/bench`, which starts a
/// durable (fsync on) throwaway cluster and prints pgbench's figures beside these. Prints one line per figure.
@main
struct BenchmarkMain {
    static func main() async throws {
        let arguments = BenchmarkArguments(CommandLine.arguments.dropFirst())
        let client = PostgresClient(configuration: PostgresConfiguration(
            connectionString: arguments.databaseURL, poolSize: arguments.poolSize, maxQueuedRequests: 100_000))
        // The purchase load drives a service that migrated its own database (perhaps another build's: it leaves the
        // schema alone); the other figures use this build's schema.
        if arguments.only == ["purchases"] {
            try await PurchaseLoad(arguments: arguments, client: client).run()
            await client.shutdown()
            return
        }
        if arguments.only == ["chat2pay"] {
            try await Chat2PayLoad(arguments: arguments).run()
            await client.shutdown()
            return
        }
        try await MigrationRunner(client: client, schema: DatabaseSchema.load(from: URL(fileURLWithPath: "Migrations"))).migrate()
        print("pool: \(arguments.poolSize) connections, \(arguments.concurrency) concurrent tasks, \(arguments.seconds) s per figure")
        if arguments.wants("pool") {
            let rate = try await measure(arguments) { _, index in
                _ = try await client.query("SELECT \(Int64(index)) AS n")
            }
            report("pool SELECT $1", rate, unit: "queries/s")
        }
        if arguments.only.isEmpty || !arguments.only.isSubset(of: ["pool"]) {
            try await LedgerBenchmarks(client: client, arguments: arguments).run()
        }
        await client.shutdown()
    }

    /// Runs `operation` from `concurrency` tasks for the configured time; returns completed operations per second.
    static func measure(
        _ arguments: BenchmarkArguments, concurrency: Int? = nil,
        _ operation: @escaping @Sendable (_ task: Int, _ index: Int) async throws -> Void
    ) async throws -> Double {
        let deadline = ContinuousClock.now + .seconds(arguments.seconds)
        let completed = Counter()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<(concurrency ?? arguments.concurrency) {
                group.addTask {
                    var index = 0
                    while ContinuousClock.now < deadline {
                        try await operation(task, index)
                        index += 1
                        completed.value.add(1, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(completed.value.load(ordering: .relaxed)) / seconds
    }

    static func report(_ name: String, _ rate: Double, unit: String) {
        let padded = name.padding(toLength: 58, withPad: " ", startingAt: 0)
        print(padded + String(format: "%10.0f ", rate) + unit)
    }
}

final class Counter: Sendable {
    let value = Atomic(0)
}

struct BenchmarkArguments {
    var databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "dbname=postgres"
    var seconds = 10
    var concurrency = 64
    var poolSize = 8
    var batchSize = 64
    var concurrentBatches = 2
    var only: Set<String> = []
    // The purchase load (`purchases`): where the service is, whom to act as, and how hard to push.
    var url = "http://127.0.0.1:18080"
    var token = ""
    var apiKey = ""
    var rate = 0.0
    /// The bank simulator the service reserves at: completion is counted there (holds debited or released), so
    /// that the load runs against any build, whatever its tables.
    var bankURL = "http://127.0.0.1:19101"
    /// Results already delivered to that bank before this run (from an earlier run).
    var alreadyCompleted = 0

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--database-url": databaseURL = iterator.next() ?? databaseURL
            case "--seconds": seconds = iterator.next().flatMap(Int.init) ?? seconds
            case "--concurrency": concurrency = iterator.next().flatMap(Int.init) ?? concurrency
            case "--pool-size": poolSize = iterator.next().flatMap(Int.init) ?? poolSize
            case "--batch-size": batchSize = iterator.next().flatMap(Int.init) ?? batchSize
            case "--concurrent-batches": concurrentBatches = iterator.next().flatMap(Int.init) ?? concurrentBatches
            case "--url": url = iterator.next() ?? url
            case "--token": token = iterator.next() ?? token
            case "--api-key": apiKey = iterator.next() ?? apiKey
            case "--rate": rate = iterator.next().flatMap(Double.init) ?? rate
            case "--already-completed": alreadyCompleted = iterator.next().flatMap(Int.init) ?? alreadyCompleted
            case "--bank-url": bankURL = iterator.next() ?? bankURL
            default: only.insert(argument)
            }
        }
    }

    func wants(_ name: String) -> Bool { only.isEmpty || only.contains(name) }
}
