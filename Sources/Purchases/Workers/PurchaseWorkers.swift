public import BankInterfaces
public import Logging
public import OutboundHTTP
public import Postgres
public import Runtime
public import ServiceLifecycle
import TransactCore
public import Vendors

/// The background half of a purchase (DESIGN.md §3 steps 7–8, §7): vends, result deliveries, reservations whose
/// answer was never recorded, and status lookups. Jobs are rows claimed with `FOR UPDATE SKIP LOCKED` under a
/// lease, so any number of processes can run these workers on one database (`JobLoop`, woken by `purchase_work`).
/// A vend this process's own request handling starts is handed to them directly (`handoff`), without a claim.
public final class PurchaseWorkers: Service {
    let store: PurchaseStore
    let listener: PostgresListener?
    let processor: PurchaseJobProcessor
    let configuration: WorkerConfiguration
    let handoff: JobHandoff<PurchaseJob>?
    let logger: Logger

    public init(
        database: any PostgresQueryable, steps: PurchaseSteps? = nil, listener: PostgresListener?,
        fundingSources: FundingSourceDirectory,
        vendors: VendorDirectory, clientEndpoints: ClientEndpoints, configuration: WorkerConfiguration,
        handoff: JobHandoff<PurchaseJob>? = nil, logger: Logger
    ) {
        self.store = PurchaseStore(database: database, steps: steps)
        self.listener = listener
        self.processor = PurchaseJobProcessor(
            store: store, fundingSources: fundingSources, vendors: vendors, clientEndpoints: clientEndpoints,
            configuration: configuration, logger: logger)
        self.configuration = configuration
        self.handoff = handoff
        self.logger = logger
    }

    public func run() async throws {
        await JobLoop(
            name: "purchase work", channel: "purchase_work", listener: listener,
            pollInterval: .milliseconds(configuration.pollIntervalMs), maxConcurrent: configuration.maxConcurrentJobs,
            logger: logger, handoff: handoff,
            claim: { [store, configuration] limit in
                try await store.claimJobs(PurchaseJob.Kind.allCases, limit: limit, leaseSeconds: configuration.leaseSeconds)
            },
            process: { [processor] job in await processor.process(job) }
        ).run()
    }
}
