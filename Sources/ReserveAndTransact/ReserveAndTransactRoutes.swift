public import BankInterfaces
import Foundation
import Observability
public import Hummingbird
public import Postgres
public import ServiceHTTP
public import Purchases
public import Runtime
import TransactCore

/// `POST /reserveAndTransact/4.0`, `POST /raas/v4/reserveAndTransact` (API.md §3.1) and the older versions
/// `POST /raas/v3/reserveAndTransact`, `POST /raas/v2/reserveAndTransact` (§3.2a): the purchase is stored, the bank
/// is asked synchronously to reserve the funds, and its answer decides the reply. Vending and the transactResult
/// follow in the background (module TransactResult).
public struct ReserveAndTransactRoutes: Sendable {
    let intake: PurchaseIntake
    let fundingSources: FundingSourceDirectory
    /// Added to the funding source's reservation timeout: after that, a reservation whose answer was never
    /// recorded (its process stopped) is settled as unanswered by a worker.
    let deadlineGraceSeconds: Int
    /// This process's purchase workers, who take the first vend attempt of reserved funds straight from the request
    /// (under a lease of `vendLeaseSeconds`); nil: left to a claim.
    let vendHandoff: JobHandoff<PurchaseJob>?
    let vendLeaseSeconds: Int

    /// Every path, with the version it serves. (v1 shares `POST /raas/v1/transact` with Transact: `Server` routes it.)
    public static let paths: [(String, PurchaseVersion)] = [
        ("reserveAndTransact/4.0", .v4), ("raas/v4/reserveAndTransact", .v4), ("raas/v3/reserveAndTransact", .v3),
        ("raas/v2/reserveAndTransact", .v2),
    ]

    public init(
        database: any PostgresQueryable, steps: PurchaseSteps? = nil, fundingSources: FundingSourceDirectory,
        deadlineGraceSeconds: Int = 30, vendHandoff: JobHandoff<PurchaseJob>? = nil,
        vendLeaseSeconds: Int = WorkerConfiguration().leaseSeconds
    ) {
        self.intake = PurchaseIntake(database: database, steps: steps)
        self.fundingSources = fundingSources
        self.deadlineGraceSeconds = deadlineGraceSeconds
        self.vendHandoff = vendHandoff
        self.vendLeaseSeconds = vendLeaseSeconds
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        for (path, version) in Self.paths {
            group.post(RouterPath(path)) { request, context in try await handle(request, context: context, version: version) }
        }
    }

    public func handle(_ request: Request, context: TransactRequestContext, version: PurchaseVersion) async throws -> Response {
        let purchase = try await PurchaseHTTP.request(from: request, context: context, flow: .reserveAndTransact, version: version)
        let decision = try await PurchaseHTTP.decide(purchase, with: intake)
        let source = try await fundingSources.entry(for: decision.fundingSourceId)
        let timeoutMs = source?.reservationTimeoutMs ?? 12_000
        let opening = try await intake.open(
            purchase, decision: decision, reservationDeadlineSeconds: timeoutMs / 1_000 + deadlineGraceSeconds)
        switch opening {
        case .settled(let settled):
            return PurchaseHTTP.response(to: settled, of: purchase)
        case .reserve(let reference, let reservation):
            // The decision named a funding source linked to the client; its adapter is gone only when the catalogue
            // changed in between.
            guard let source else { throw PurchaseFlowError.fundingSourceGone(decision.fundingSourceId) }
            let (outcome, latencyMs) = await OutboundCall.measure(.bank, "reserveFunds", outcome: \.metricLabel) {
                await source.adapter.reserveFunds(reservation)
            }
            context.logger.debug(
                "The bank answered reserveFunds",
                metadata: ["raasTxnRef": "\(reference.value)", "outcome": "\(outcome.metricLabel)", "latencyMs": "\(latencyMs)"])
            let answer = try await intake.store.recordReservation(
                reference, outcome, latencyMs: latencyMs, vendHandoff: vendHandoff, leaseSeconds: vendLeaseSeconds)
            return PurchaseHTTP.answer(answer, reference: reference, to: purchase)
        }
    }
}

/// The catalogue changed under a purchase; answered as an unexpected error (500, `0001`). The purchase stays
/// reserving until its deadline settles it as unanswered (2060).
enum PurchaseFlowError: Error {
    case fundingSourceGone(Int64)
}
