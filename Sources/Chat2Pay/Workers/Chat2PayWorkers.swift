import Foundation
public import BankInterfaces
public import Logging
import Observability
public import OutboundHTTP
public import Postgres
public import Purchases
import TransactCore
import Runtime
public import ServiceLifecycle

/// Chat 2 Pay's background work (API.md §12), in every process that runs workers, on one database: what time
/// settles (links and pages expiring, payments whose bank never answered, authorisations not captured in time), and
/// the outbox — each payment's one transactResult to its bank; a callback per status change to the merchant, in
/// order, at least once, the same bytes every attempt, signed as every client callback is; and the product a
/// captured payment buys, opened as a purchase of the Transact flow (once: the purchase core is idempotent on its
/// clientTxnRef, `chat-2-pay/<paymentLinkRef>`), whose workers vend it.
public struct Chat2PayWorkers: Service {
    let store: PaymentRequestStore
    let listener: PostgresListener?
    let fundingSources: FundingSourceDirectory
    let merchantEndpoints: ClientEndpoints
    let purchases: PurchaseIntake
    let configuration: Chat2PayConfiguration
    let logger: Logger

    public init(
        database: any PostgresQueryable, listener: PostgresListener?, fundingSources: FundingSourceDirectory,
        merchantEndpoints: ClientEndpoints, purchaseSteps: PurchaseSteps?, configuration: Chat2PayConfiguration, logger: Logger
    ) {
        self.store = PaymentRequestStore(database: database)
        self.purchases = PurchaseIntake(database: database, steps: purchaseSteps)
        self.listener = listener
        self.fundingSources = fundingSources
        self.merchantEndpoints = merchantEndpoints
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        async let settling: Void = cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await settleDue()
                try? await Task.sleep(for: .milliseconds(configuration.pollIntervalMs))
            }
        }
        async let delivering: Void = JobLoop(
            name: "chat 2 pay deliveries", channel: "chat2pay_work", listener: listener,
            pollInterval: .milliseconds(configuration.pollIntervalMs), maxConcurrent: configuration.concurrentDeliveries,
            logger: logger, claim: { limit in try await store.claimDeliveries(limit: limit, leaseSeconds: configuration.leaseSeconds) },
            process: { claim in await deliver(claim) }
        ).run()
        _ = await (settling, delivering)
    }

    func settleDue() async {
        do {
            var moved = 0
            repeat {
                moved = try await store.settleDue(limit: configuration.settleBatchSize, graceSeconds: configuration.unansweredGraceSeconds)
            } while moved == configuration.settleBatchSize && !Task.isCancelled
        } catch {
            // Looked for again at the next poll; nothing was half done (each request moves in its statement).
            logger.warning("Could not settle due payment requests", metadata: ["error": "\(error)"])
        }
    }

    /// Delivers one claimed item and records what it came to. A report that cannot be recorded is not lost: the
    /// lease runs out and the item is claimed again (the receiver deduplicates on the reference).
    func deliver(_ claim: PaymentRequestStore.DeliveryClaim) async {
        let delivery = await TraceContext.resuming(claim.traceParent) { await send(claim) }
        do {
            try await store.recordDeliveries([PaymentRequestStore.DeliveryReport(
                claim, acknowledged: delivery.acknowledged, outcome: delivery.detail,
                retryDelayMs: RetryBackoff.delayMs(
                    afterAttempt: claim.attempt, initial: configuration.callbackRetryDelayMs,
                    maximum: configuration.callbackMaxRetryDelayMs),
                maxAttempts: delivery.giveUp ? 0 : configuration.callbackMaxAttempts)])
        } catch {
            logger.warning("Could not record a Chat 2 Pay delivery", metadata: [
                "paymentLinkRef": "\(claim.paymentLinkRef)", "error": "\(error)",
            ])
        }
    }

    private struct Outcome {
        let acknowledged: Bool
        let detail: String
        /// Nothing to deliver to: the item ends here.
        var giveUp = false
    }

    private func send(_ claim: PaymentRequestStore.DeliveryClaim) async -> Outcome {
        let body = Array(claim.body.utf8)
        switch claim.kind {
        case .bankResult:
            guard let source = try? await fundingSources.entry(for: claim.fundingSourceId) else {
                return Outcome(acknowledged: false, detail: "the funding source could not be read")
            }
            let (delivery, _) = await OutboundCall.measure(
                .bank, "transactResult", outcome: { $0.acknowledged ? "acknowledged" : "not_acknowledged" }
            ) { await source.adapter.deliverResult(body: body) }
            return Outcome(acknowledged: delivery.acknowledged, detail: delivery.detail)
        case .callback:
            let endpoint: HTTPEndpoint?
            do {
                endpoint = try await merchantEndpoints.endpoint(for: claim.clientId)
            } catch {
                return Outcome(acknowledged: false, detail: "the merchant's endpoint could not be read")
            }
            // The merchant took its URL away: nothing to push to, so the callback ends here.
            guard let endpoint else { return Outcome(acknowledged: false, detail: "the merchant has no callback URL", giveUp: true) }
            let (delivery, _) = await OutboundCall.measure(
                .client, "chat2PayCallback", outcome: { $0.acknowledged ? "acknowledged" : "not_acknowledged" }
            ) { await endpoint.deliver(body: body) }
            return Outcome(acknowledged: delivery.acknowledged, detail: delivery.detail)
        case .purchase:
            return await buy(claim, body)
        }
    }

    /// Opens the purchase of a captured request's product. A refusal that stores nothing (the catalogue changed
    /// since the request was made) is recorded on the request, for the merchant and support to see; an error is
    /// tried again.
    private func buy(_ claim: PaymentRequestStore.DeliveryClaim, _ body: [UInt8]) async -> Outcome {
        do {
            let request: PurchaseRequest
            let decision: PurchaseDecision
            do throws(FormatError) {
                request = try PurchaseRequest(body: JSONRequestBody(bytes: body), flow: .transact, version: .v2)
            } catch {
                try await store.recordPurchase(claim.paymentLinkRef, raasTxnRef: nil, refusal: error.message)
                return Outcome(acknowledged: true, detail: "refused: \(error.message)")
            }
            do {
                decision = try await purchases.decide(request)
            } catch let refusal as FormatError {
                try await store.recordPurchase(claim.paymentLinkRef, raasTxnRef: nil, refusal: refusal.message)
                return Outcome(acknowledged: true, detail: "refused: \(refusal.message)")
            }
            let reference: RaasTxnRef?
            switch try await purchases.open(request, decision: decision) {
            case .settled(.answered(let opened, _)), .settled(.replay(let opened, _)), .settled(.inProgress(let opened)):
                reference = opened
            case .settled(.duplicate), .reserve:
                reference = nil
            }
            guard let reference else { return Outcome(acknowledged: false, detail: "the purchase could not be opened") }
            try await store.recordPurchase(claim.paymentLinkRef, raasTxnRef: reference.uuid, refusal: nil)
            return Outcome(acknowledged: true, detail: "purchase \(reference.value)")
        } catch {
            return Outcome(acknowledged: false, detail: String("could not open the purchase: \(error)".prefix(300)))
        }
    }
}
