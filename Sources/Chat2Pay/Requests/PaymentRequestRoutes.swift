import Foundation
public import Hummingbird
import Observability
public import ServiceHTTP
import TransactCore

/// The Chat 2 Pay API (API.md §12): payment requests created, looked up, cancelled, captured and reversed by the
/// merchant that made them (role `client`, its own requests only: another's is not found).
public struct PaymentRequestRoutes: Sendable {
    let store: PaymentRequestStore
    let links: PaymentLinks

    public init(store: PaymentRequestStore, links: PaymentLinks) {
        self.store = store
        self.links = links
    }

    /// What `POST /api/v2/chat-2-pay` answers, for the request and for every repeat of it.
    struct Created: Encodable {
        let paymentLinkRef: String
        let transactionStatus: String
        let transactionStatusId: Int
        let timestamp: String
        let paymentLink: String?
        let paymentLinkTTL: Int
        let paymentPageTTL: Int
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post("api/v2/chat-2-pay") { request, context -> Response in
            let body = try await request.validatedBody(PaymentRequestBody.init)
            _ = try context.authorize(clientId: body.clientId)
            let reference = UUID()
            let creation = try await store.create(PaymentRequestStore.NewRequest(
                paymentLinkRef: reference, body: body, tokenHash: PaymentLinks.hash(links.token(for: reference)),
                link: links.link(for: reference), traceParent: TraceContext.currentTraceParent()))
            switch creation {
            case .created(let summary), .existing(let summary):
                return JSONResponse.make(created(summary), status: .created)
            case .conflict:
                throw Chat2PayRefusal(.conflict, .duplicateOrderNumber)
            case .refused(let refusal):
                throw refused(refusal, body)
            }
        }
        group.get("api/v2/chat-2-pay/:paymentLinkRef") { request, context -> Response in
            let client = try context.authorize(role: .client)
            let reference = try Self.reference(context)
            guard let found = try await store.find(reference, clientId: client.clientId) else {
                throw Chat2PayRefusal.notFound(reference.uuidString.lowercased())
            }
            return JSONResponse.text(found, status: .ok)
        }
        addReceipt(to: group)
        for action in [PaymentRequestStore.Action.cancel, .capture, .reverse] {
            group.post("api/v2/\(action.rawValue)/:paymentLinkRef") { request, context -> Response in
                let client = try context.authorize(role: .client)
                let reference = try Self.reference(context)
                let amount = action == .capture ? try await Self.captureAmount(request) : nil
                let result = try await store.act(action, on: reference, clientId: client.clientId, amount: amount)
                switch result.outcome {
                case "done": return JSONResponse.text(result.request ?? "{}", status: .ok)
                case "not_found": throw Chat2PayRefusal.notFound(reference.uuidString.lowercased())
                case "already_cancelled": throw Chat2PayRefusal(.badRequest, .paymentRequestCancelled, reasonCode: 1)
                case "expired": throw Chat2PayRefusal(.badRequest, .paymentRequestExpired, reasonCode: 2)
                case "paid": throw Chat2PayRefusal(.conflict, .paymentRequestPaid)
                case "not_authorised": throw Chat2PayRefusal(.conflict, .paymentNotAuthorised)
                case "exceeds": throw Chat2PayRefusal(.badRequest, .captureExceedsAuthorisation)
                default: throw Chat2PayRefusal(.internalServerError, .unexpectedError)
                }
            }
        }
    }

    /// `POST /api/v2/order-receipt` `{clientId, paymentLinkRef}`: a captured request's receipt link sent to its
    /// customer, once (a repeat answers the receipt already sent).
    private func addReceipt(to group: RouterGroup<TransactRequestContext>) {
        group.post("api/v2/order-receipt") { request, context -> Response in
            let (clientId, referenceText) = try await request.validatedBody { body throws(FormatError) in
                (try body.requiredInteger("clientId", .digits(5)), try body.requiredString("paymentLinkRef", length: 1...64))
            }
            _ = try context.authorize(clientId: clientId)
            guard let reference = UUID(uuidString: referenceText) else { throw Chat2PayRefusal.notFound(referenceText) }
            let result = try await store.sendReceipt(
                for: reference, clientId: clientId, tokenHash: PaymentLinks.hash(links.receiptToken(for: reference)),
                link: links.receiptLink(for: reference))
            switch result.outcome {
            case "sent", "existing": return JSONResponse.text(result.receipt ?? "{}", status: .created)
            case "not_found": throw Chat2PayRefusal.notFound(referenceText)
            case "not_captured": throw Chat2PayRefusal(.conflict, .paymentNotCaptured)
            default: throw Chat2PayRefusal(.internalServerError, .unexpectedError)
            }
        }
    }

    private func created(_ summary: PaymentRequestStore.Summary) -> Created {
        Created(
            paymentLinkRef: summary.paymentLinkRef.uuidString.lowercased(), transactionStatus: summary.status,
            transactionStatusId: summary.statusId, timestamp: summary.createdAt,
            paymentLink: summary.returnPaymentLink ? links.link(for: summary.paymentLinkRef) : nil,
            paymentLinkTTL: summary.linkTtlSeconds, paymentPageTTL: summary.pageTtlSeconds)
    }

    private func refused(_ refusal: PaymentRequestStore.Refusal, _ body: PaymentRequestBody) -> Chat2PayRefusal {
        switch refusal {
        case .notEnabled: Chat2PayRefusal(.badRequest, .chat2PayNotEnabled)
        case .fundingSourceNotLinked:
            Chat2PayRefusal(.badRequest, Answer.fundingSourceNotLinked.filled(body.fundingSourceId.map(String.init) ?? "(default)"))
        case .currencyNotServed: Chat2PayRefusal(.badRequest, .currencyNotServed)
        case .productNotFound: Chat2PayRefusal(.badRequest, Answer.productIdDoesNotExist.filled(String(body.productId ?? 0)))
        case .channelNotConfigured: Chat2PayRefusal(.badRequest, .channelNotConfigured)
        case .noTransactResultURL: Chat2PayRefusal(.badRequest, .transactResultURLRequired)
        }
    }

    /// The path's reference: a UUID, else no such request.
    static func reference(_ context: TransactRequestContext) throws -> UUID {
        let text = context.parameters.get("paymentLinkRef") ?? ""
        guard text.utf8.count <= 64, let reference = UUID(uuidString: text) else { throw Chat2PayRefusal.notFound(text) }
        return reference
    }

    /// A capture's optional body, `{"amount": …}`: nil (all of it) when the body is empty or names none.
    static func captureAmount(_ request: Request) async throws -> Int64? {
        var request = request
        let bytes = try await request.collectBody(upTo: 4_096)
        guard bytes.readableBytes > 0 else { return nil }
        do throws(FormatError) {
            return try JSONRequestBody(bytes: Array(bytes.readableBytesView)).integer("amount", .positiveAmount)
        } catch {
            throw APIError(error)
        }
    }
}
