import BankInterfaces
import Foundation
import Logging
import OutboundHTTP
import Metrics
import Observability
import Tracing
import TransactCore
import Vendors

/// Does one claimed job: makes its call and records the outcome in one statement. A failure to record is only
/// logged: the lease expires and the job is claimed again, and what was started is asked about, not repeated.
struct PurchaseJobProcessor: Sendable {
    let store: PurchaseStore
    let fundingSources: FundingSourceDirectory
    let vendors: VendorDirectory
    let clientEndpoints: ClientEndpoints
    let configuration: WorkerConfiguration
    let logger: Logger

    /// In a span of the purchase's own trace (its stored `traceparent`), whichever process claimed the job.
    func process(_ job: PurchaseJob) async {
        await withSpan(
            "purchase \(job.kind.rawValue)", context: TraceContext.resuming(job.transaction.traceParent), ofKind: .consumer
        ) { span in
            span.attributes["transact.raas_txn_ref"] = job.raasTxnRef.value
            await run(job)
        }
    }

    private func run(_ job: PurchaseJob) async {
        do {
            switch job.kind {
            case .vend: try await vend(job)
            case .deliverResult: try await deliverResult(job)
            case .reservationDeadline: try await settleUnansweredReservation(job)
            case .reservationLookup: try await lookUpReservation(job)
            }
        } catch {
            logger.warning(
                "Purchase work failed; it is retried when its lease expires",
                metadata: ["raasTxnRef": "\(job.raasTxnRef)", "job": "\(job.kind.rawValue)", "error": "\(error)"])
        }
    }

    /// A vend attempt, or a status query about the last attempt (API.md §3.4).
    private func vend(_ job: PurchaseJob) async throws {
        guard let step = job.vendStep, let vendorId = job.transaction.vendorId, let amount = job.transaction.vendAmount,
            let productTypeId = job.transaction.productTypeId
        else { return }
        let request = VendRequest(
            reference: job.raasTxnRef.vendReference(attempt: step.attempt), productId: job.transaction.productId,
            productTypeId: productTypeId, amount: amount, currencyCode: job.transaction.currencyCode,
            targetIdentifier: job.transaction.targetIdentifier,
            tokenKind: job.transaction.tokenKind.flatMap(VendRequest.TokenKind.init))
        guard let vendor = try await vendors.adapter(for: vendorId) else {
            // Nothing was sent and nothing is known: leave the job to come due again when its lease expires (an
            // earlier attempt's outcome may still be open; it must not be settled by a configuration problem).
            logger.error("Vendor is not configured; the vend waits", metadata: ["raasTxnRef": "\(job.raasTxnRef)", "vendorId": "\(vendorId)"])
            return
        }
        // A vend ends while the lease surely holds (a status query may outlive it: its answer is then not recorded).
        let window = ContinuousClock.now.duration(to: job.leaseHeldUntil - configuration.vendLeaseMargin)
        if case .vend = step, window < WorkerConfiguration.shortestVendWindow {
            logger.warning(
                "Vend not sent: its lease ends before the call could; the attempt is asked about when the lease passes",
                metadata: ["raasTxnRef": "\(job.raasTxnRef)", "reference": "\(request.reference)"])
            return
        }
        let (outcome, latencyMs): (VendOutcome?, Int) = await OutboundCall.measure(
            .vendor, step.operation, outcome: Self.name(of:)
        ) {
            switch step {
            case .vend: await vendor.vend(request, within: window)
            case .status: await vendor.status(of: request)
            }
        }
        Counter(label: "transact_vend_outcomes_total", dimensions: [("outcome", Self.name(of: outcome))]).increment()
        switch try await store.recordVend(
            job, outcome: outcome, latencyMs: latencyMs, policy: configuration.vendPolicy,
            leaseSeconds: configuration.leaseSeconds)
        {
        case .leaseLost:
            logger.info("Vend outcome not recorded: the job was settled or taken over meanwhile",
                        metadata: ["raasTxnRef": "\(job.raasTxnRef)", "reference": "\(request.reference)"])
        case .recorded(let delivery?):
            // The purchase is final: its result goes out now, under the lease the vend's record took for it, rather
            // than after another claim.
            try await deliverResult(delivery)
        case .recorded(nil):
            break
        }
    }

    /// The outcome's kind, as a metric label (never its code: the set of labels stays small).
    static func name(of outcome: VendOutcome?) -> String {
        switch outcome {
        case .success: "success"
        case .declined: "declined"
        case .retryable: "retryable"
        case .uncertain: "uncertain"
        case .unknown, nil: "unknown"
        }
    }

    /// Delivers the stored result bytes (API.md §4.2).
    private func deliverResult(_ job: PurchaseJob) async throws {
        guard let delivery = job.delivery else { return }
        let recipient: (any ResultRecipient)? = switch delivery.recipient {
        case .fundingSource: try await fundingSources.entry(for: job.transaction.fundingSourceId)?.adapter
        case .client: try await clientEndpoints.endpoint(for: job.transaction.clientId)
        }
        guard let recipient else {
            try await store.recordDelivery(
                job, acknowledged: false, detail: "nowhere to deliver: no transactResultUrl is configured", latencyMs: 0)
            return
        }
        let (result, latencyMs) = await OutboundCall.measure(
            delivery.recipient == .client ? .client : .bank, "transactResult", outcome: { $0.acknowledged ? "acknowledged" : "not_acknowledged" }
        ) { await recipient.deliverResult(body: delivery.body) }
        Counter(
            label: "transact_result_deliveries_total", dimensions: [("acknowledged", result.acknowledged ? "true" : "false")]
        ).increment()
        try await store.recordDelivery(
            job, acknowledged: result.acknowledged, detail: result.detail, latencyMs: latencyMs)
    }

    /// The process that called the bank stopped before recording the answer: settle it as unanswered (2060), which
    /// also queues the failure result that makes the bank release any hold.
    private func settleUnansweredReservation(_ job: PurchaseJob) async throws {
        _ = try await store.recordReservation(
            job.raasTxnRef, .noAnswer(reason: "no answer was recorded before the reservation's deadline"), latencyMs: 0)
    }

    /// Asks the bank what it holds for a reservation that was never answered (API.md §4.3), for support.
    private func lookUpReservation(_ job: PurchaseJob) async throws {
        let source = try await fundingSources.entry(for: job.transaction.fundingSourceId)
        let (answer, latencyMs) = await OutboundCall.measure(.bank, "statusLookup", outcome: { $0 == nil ? "no_answer" : "answered" }) {
            await source?.adapter.statusLookup(raasTxnRef: job.raasTxnRef.value)
        }
        try await store.recordReservationLookup(
            job, answer: answer.map { ($0.responseCode, $0.responseMessage, $0.reserveFundsTxnRef) },
            latencyMs: latencyMs,
            retryDelayMs: configuration.reservationLookupRetryDelayMs, maxClaims: configuration.maxReservationLookups)
    }
}
