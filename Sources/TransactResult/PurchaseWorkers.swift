public import BankInterfaces
public import Logging
public import Postgres
public import ServiceLifecycle
import Synchronization
public import TransactCore
public import Vendors

/// The background half of a purchase (DESIGN.md §3 steps 7–8, §7): vends, result deliveries, reservations whose
/// answer was never recorded, and status lookups. Jobs are rows claimed with `FOR UPDATE SKIP LOCKED` under a
/// lease, so any number of processes can run these workers on one database. A notification on `purchase_work`
/// wakes them at once; they also look every `pollIntervalMs`, which is how delayed retries come due and how work
/// is found after a lost notification.
public final class PurchaseWorkers: Service {
    let store: PurchaseStore
    let listener: PostgresListener?
    let processor: PurchaseJobProcessor
    let configuration: WorkerConfiguration
    let logger: Logger
    private let inFlight = Atomic<Int>(0)
    private let doorbell = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(
        database: any PostgresQueryable, steps: PurchaseSteps? = nil, listener: PostgresListener?,
        fundingSources: FundingSourceDirectory,
        vendors: VendorDirectory, clientEndpoints: ClientResultEndpoints, configuration: WorkerConfiguration, logger: Logger
    ) {
        self.store = PurchaseStore(database: database, steps: steps)
        self.listener = listener
        self.processor = PurchaseJobProcessor(
            store: store, fundingSources: fundingSources, vendors: vendors, clientEndpoints: clientEndpoints,
            configuration: configuration, logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let wakers = [
            Task { [doorbell, configuration] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(configuration.pollIntervalMs))
                    doorbell.continuation.yield()
                }
            },
            Task { [doorbell, listener] in
                guard let listener else { return }
                for await _ in listener.events(channel: "purchase_work") { doorbell.continuation.yield() }
            },
        ]
        defer { wakers.forEach { $0.cancel() } }
        doorbell.continuation.yield()
        await withGracefulShutdownHandler {
            // Jobs in progress finish (their outcomes are recorded) before the group returns.
            await withDiscardingTaskGroup { group in
                for await _ in doorbell.stream {
                    await claimAndStart(in: &group)
                }
            }
        } onGracefulShutdown: { [doorbell] in
            doorbell.continuation.finish()
        }
    }

    private func claimAndStart(in group: inout DiscardingTaskGroup) async {
        let free = configuration.maxConcurrentJobs - inFlight.load(ordering: .relaxed)
        guard free > 0 else { return }
        let jobs: [PurchaseJob]
        do {
            jobs = try await store.claimJobs(
                PurchaseJob.Kind.allCases, limit: free, leaseSeconds: configuration.leaseSeconds)
        } catch {
            logger.warning("Could not claim purchase work", metadata: ["error": "\(error)"])
            return
        }
        for job in jobs {
            inFlight.add(1, ordering: .relaxed)
            group.addTask {
                await self.processor.process(job)
                self.inFlight.subtract(1, ordering: .relaxed)
                self.doorbell.continuation.yield()
            }
        }
        // A full batch suggests more is due: look again at once.
        if jobs.count == free { doorbell.continuation.yield() }
    }
}
