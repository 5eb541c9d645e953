public import BankInterfaces
import Foundation
public import Hummingbird
public import Postgres
public import ServiceHTTP
public import TransactCore

/// `POST /reserveAndTransact/4.0` and `POST /raas/v4/reserveAndTransact` (API.md §3.1): the purchase is stored,
/// the bank is asked synchronously to reserve the funds, and its answer decides the reply. Vending and the
/// transactResult follow in the background (module TransactResult).
public struct ReserveAndTransactRoutes: Sendable {
    let intake: PurchaseIntake
    let fundingSources: FundingSourceDirectory
    /// Added to the funding source's reservation timeout: after that, a reservation whose answer was never
    /// recorded (its process stopped) is settled as unanswered by a worker.
    let deadlineGraceSeconds: Int

    public static let paths = ["reserveAndTransact/4.0", "raas/v4/reserveAndTransact"]

    public init(
        database: any PostgresQueryable, steps: PurchaseSteps? = nil, fundingSources: FundingSourceDirectory,
        deadlineGraceSeconds: Int = 30
    ) {
        self.intake = PurchaseIntake(database: database, steps: steps)
        self.fundingSources = fundingSources
        self.deadlineGraceSeconds = deadlineGraceSeconds
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        for path in Self.paths {
            group.post(RouterPath(path)) { request, context in try await handle(request, context: context) }
        }
    }

    func handle(_ request: Request, context: TransactRequestContext) async throws -> Response {
        let purchase = try await PurchaseHTTP.request(from: request, context: context, flow: .reserveAndTransact)
        let source = try await fundingSources.entry(for: purchase.fundingSourceId)
        let timeoutMs = source?.reservationTimeoutMs ?? 12_000
        let opened = try await PurchaseHTTP.open(
            purchase, flow: .reserveAndTransact, with: intake,
            reservationDeadlineSeconds: timeoutMs / 1_000 + deadlineGraceSeconds)
        if let response = PurchaseHTTP.response(to: opened.opening) { return response }
        guard case .created(let reference, _) = opened.opening, case .accept(let product, let breakdown) = opened.decision,
            let source
        else {
            // An accepted purchase always has a linked, existing funding source (the catalogue's keys say so).
            throw PurchaseFlowError.inconsistent("accepted purchase without its funding source")
        }
        let reservation = ReserveFundsRequest(
            clientTxnRef: purchase.clientTxnRef, raasTxnRef: reference.value, productId: purchase.productId,
            productType: product.productTypeName, purchaseAmount: breakdown.purchaseAmount,
            reserveAmount: breakdown.reserveAmount, feeAmount: breakdown.feeAmount, vendAmount: breakdown.vendAmount,
            currencyCode: purchase.currencyCode, clientId: purchase.clientId, sourceIdentifier: purchase.sourceIdentifier,
            targetIdentifier: purchase.targetIdentifier, accountIdentifier: purchase.accountIdentifier,
            authCode: purchase.authCode, channelId: purchase.channelId, channelName: purchase.channelName,
            channelSessionId: purchase.channelSessionId, timestamp: purchase.timestamp)
        let (outcome, latencyMs) = await timed { await source.adapter.reserveFunds(reservation) }
        let answer = try await intake.store.recordReservation(reference, outcome, latencyMs: latencyMs)
        return PurchaseHTTP.answer(answer, reference: reference)
    }
}

/// A state the catalogue's constraints rule out; answered as an unexpected error (500, `0001`).
enum PurchaseFlowError: Error {
    case inconsistent(String)
}
