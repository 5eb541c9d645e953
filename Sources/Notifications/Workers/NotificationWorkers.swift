public import OutboundHTTP
public import Logging
public import Postgres
import Observability
import Runtime
public import ServiceLifecycle

/// The background half of notifications (DESIGN.md §7): hands due messages to their channels and pushes status
/// changes to clients' callback URLs. Both are rows claimed in batches under leases (`JobLoop`, woken by
/// `notification_work`), so any number of processes may run these workers on one database; a batch's claim and
/// its report are one statement each.
public struct NotificationWorkers: Service {
    let store: NotificationStore
    let listener: PostgresListener?
    let channels: ChannelDirectory
    let clientEndpoints: ClientEndpoints
    let configuration: NotificationConfiguration
    let logger: Logger

    public init(
        database: any PostgresQueryable, listener: PostgresListener?, channels: ChannelDirectory,
        clientEndpoints: ClientEndpoints, configuration: NotificationConfiguration, logger: Logger
    ) {
        self.store = NotificationStore(database: database)
        self.listener = listener
        self.channels = channels
        self.clientEndpoints = clientEndpoints
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        async let sending: Void = JobLoop(
            name: "notification sends", channel: "notification_work", listener: listener,
            pollInterval: .milliseconds(configuration.pollIntervalMs), maxConcurrent: configuration.concurrentSendBatches,
            logger: logger, claim: { batches in try await claimBatches(batches, size: configuration.sendBatchSize, store.claimSends) },
            process: { batch in await send(batch) }
        ).run()
        async let calling: Void = JobLoop(
            name: "notification callbacks", channel: "notification_work", listener: listener,
            pollInterval: .milliseconds(configuration.pollIntervalMs), maxConcurrent: configuration.concurrentCallbackBatches,
            logger: logger,
            claim: { batches in try await claimBatches(batches, size: configuration.callbackBatchSize, store.claimCallbacks) },
            process: { batch in await deliver(batch) }
        ).run()
        _ = await (sending, calling)
    }

    /// Up to `count` batches of up to `size` items each; stops at the first batch that is not full.
    private func claimBatches<Item>(
        _ count: Int, size: Int, _ claim: (_ limit: Int, _ leaseSeconds: Int) async throws -> [Item]
    ) async throws -> [[Item]] {
        var batches: [[Item]] = []
        while batches.count < count {
            let batch = try await claim(size, configuration.leaseSeconds)
            if !batch.isEmpty { batches.append(batch) }
            if batch.count < size { break }
        }
        return batches
    }

    /// Hands a batch to its channels at once, then records what they said in one statement. A report that cannot be
    /// recorded is not lost: the lease runs out and the messages are claimed again (already charged, not again).
    func send(_ batch: [NotificationStore.SendClaim]) async {
        let reports = await withTaskGroup(of: NotificationStore.SendReport.self) { group in
            for claim in batch {
                group.addTask {
                    // In the trace of the request that accepted the message, whichever process sends it.
                    let (outcome, _) = await TraceContext.resuming(claim.traceParent) {
                        await OutboundCall.measure(.gateway, "send", outcome: \.metricLabel) {
                            await channels.channel(for: claim.channel).send(OutgoingMessage(
                                notificationId: claim.notificationId.uuidString.lowercased(), channel: claim.channel,
                                destinationIdentifier: claim.destinationIdentifier, message: claim.message))
                        }
                    }
                    NotificationMetrics.countSend(outcome)
                    return NotificationStore.SendReport(
                        claim, outcome,
                        retryDelayMs: RetryBackoff.delayMs(
                            afterAttempt: claim.attempt, initial: configuration.sendRetryDelayMs,
                            maximum: configuration.maxSendRetryDelayMs),
                        maxAttempts: configuration.maxSendAttempts)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        do {
            try await store.recordSends(reports)
        } catch {
            logger.warning("Could not record notification sends", metadata: ["error": "\(error)"])
        }
    }

    /// Pushes a batch of status changes to their clients at once, then records the outcomes in one statement.
    func deliver(_ batch: [NotificationStore.CallbackClaim]) async {
        let reports = await withTaskGroup(of: NotificationStore.CallbackReport.self) { group in
            for claim in batch {
                group.addTask {
                    let retryDelayMs = RetryBackoff.delayMs(
                        afterAttempt: claim.attempt, initial: configuration.callbackRetryDelayMs,
                        maximum: configuration.callbackMaxRetryDelayMs)
                    let endpoint: HTTPEndpoint?
                    do {
                        endpoint = try await clientEndpoints.endpoint(for: claim.clientId)
                    } catch {
                        return report(claim, acknowledged: false, "the client's endpoint could not be read", retryDelayMs)
                    }
                    // The client took its URL away: nothing to push to, so the callback ends here.
                    guard let endpoint else {
                        return report(claim, acknowledged: false, "the client has no notification callback URL", 0, giveUp: true)
                    }
                    let (delivery, _) = await TraceContext.resuming(claim.traceParent) {
                        await OutboundCall.measure(
                            .client, "notificationCallback", outcome: { $0.acknowledged ? "acknowledged" : "not_acknowledged" }
                        ) { await endpoint.deliver(body: claim.body.bytes) }
                    }
                    NotificationMetrics.countCallback(status: claim.body.status, acknowledged: delivery.acknowledged)
                    return report(claim, acknowledged: delivery.acknowledged, delivery.detail, retryDelayMs)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        do {
            try await store.recordCallbacks(reports)
        } catch {
            logger.warning("Could not record notification callbacks", metadata: ["error": "\(error)"])
        }
    }

    private func report(
        _ claim: NotificationStore.CallbackClaim, acknowledged: Bool, _ outcome: String, _ retryDelayMs: Int, giveUp: Bool = false
    ) -> NotificationStore.CallbackReport {
        NotificationStore.CallbackReport(
            notificationId: claim.notificationId, sequence: claim.sequence, leaseToken: claim.leaseToken,
            acknowledged: acknowledged, outcome: outcome, retryDelayMs: retryDelayMs,
            maxAttempts: giveUp ? 0 : configuration.callbackMaxAttempts, traceParent: claim.traceParent)
    }
}
