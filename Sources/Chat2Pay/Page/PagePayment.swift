import Foundation
import BankInterfaces
import Observability
import TransactCore

/// A payment made from the page: the claim (once), the bank's reserveFunds, its answer recorded. What the customer
/// typed goes into the reserveFunds request and nowhere else.
struct PagePayment: Sendable {
    let store: PaymentRequestStore
    let fundingSources: FundingSourceDirectory

    /// What the customer typed: the account identifier at the bank, and the authorisation code when the bank wants one.
    struct Credentials: Sendable, CustomStringConvertible {
        let accountIdentifier: String
        let authCode: String?

        struct Problem: Error {
            let message: String
        }

        init(_ form: [String: String]) throws(Problem) {
            let account = (form["accountIdentifier"] ?? "").filter { $0 != " " }
            guard (1...32).contains(account.count), account.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw Problem(message: "Enter your account or card number (letters and digits, up to 32).")
            }
            let code = form["authCode"].flatMap { $0.isEmpty ? nil : $0 }
            if let code, !(1...12).contains(code.count) || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                throw Problem(message: "The authorisation code is letters and digits, up to 12.")
            }
            accountIdentifier = account
            authCode = code
        }

        /// Never what was typed.
        var description: String { "Credentials(redacted)" }
    }

    /// The page after paying; nil: no such token.
    func pay(tokenHash: String, _ credentials: Credentials) async throws -> PageView? {
        switch try await store.beginPayment(tokenHash: tokenHash) {
        case nil: return nil
        case .notPayable(let page): return page
        case .claimed(let claim): return try await reserve(claim, credentials)
        }
    }

    private func reserve(_ claim: PaymentRequestStore.PaymentClaim, _ credentials: Credentials) async throws -> PageView {
        let reference = claim.paymentLinkRef.uuidString.lowercased()
        let request = ReserveFundsRequest(
            clientTxnRef: claim.orderNumber, raasTxnRef: reference, productId: claim.productId ?? 0,
            productType: claim.productType ?? "Chat 2 Pay", purchaseAmount: claim.totalAmount, reserveAmount: claim.totalAmount,
            feeAmount: 0, vendAmount: claim.productId == nil ? 0 : claim.totalAmount, currencyCode: claim.currency,
            clientId: claim.clientId, sourceIdentifier: credentials.accountIdentifier,
            targetIdentifier: claim.targetIdentifier ?? claim.recipient ?? "", accountIdentifier: nil,
            authCode: credentials.authCode, channelId: claim.channel == "whatsapp" ? 8 : 6, channelName: "Chat 2 Pay",
            channelSessionId: reference, timestamp: Self.now())
        let outcome: ReserveOutcome
        if let source = try await fundingSources.entry(for: claim.fundingSourceId) {
            outcome = await OutboundCall.measure(.bank, "reserveFunds", outcome: \.metricLabel) {
                await source.adapter.reserveFunds(request)
            }.value
        } else {
            // The request named a funding source linked to the client; it is gone only if the catalogue changed since.
            outcome = .noAnswer(reason: "the funding source is no longer configured")
        }
        return switch outcome {
        case .reserved(let bankReference):
            try await store.recordAuthorisation(
                claim.paymentLinkRef, outcome: "reserved", code: nil, message: nil, reserveFundsTxnRef: bankReference,
                cause: "reserved")
        case .declined(let code, let message):
            try await store.recordAuthorisation(
                claim.paymentLinkRef, outcome: "declined", code: code, message: message, reserveFundsTxnRef: nil, cause: "declined")
        case .noAnswer(let reason):
            try await store.recordAuthorisation(
                claim.paymentLinkRef, outcome: "no_answer", code: nil, message: nil, reserveFundsTxnRef: nil, cause: reason)
        }
    }

    /// Now, as the bank interfaces write times (ISO 8601, UTC, milliseconds).
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
