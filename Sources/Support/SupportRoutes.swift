import Foundation
public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore

/// The support API (API.md §8), role `support` only; every call is written to the audit log first.
/// - `GET /support/transactions`: search (`TransactionSearch`).
/// - `GET /support/transactions/{raasTxnRef}`: the whole story (`TransactionStory`).
/// - `POST /support/transactions/{raasTxnRef}/resend-result`: one more transactResult delivery.
/// - `GET /support/payment-requests`, `GET /support/payment-requests/{paymentLinkRef}`: Chat 2 Pay's requests
///   (`PaymentRequestSearch`).
/// - `GET /support/exceptions` (`SupportExceptions`).
/// - `GET /support/reports/settlement?date=YYYY-MM-DD[&clientId=|&vendorId=][&format=csv|json]`
///   (`SettlementReport`; CSV also when the request accepts `text/csv`).
public struct SupportRoutes: Sendable {
    static func paymentLinkRef(_ context: TransactRequestContext) throws -> UUID {
        guard let reference = UUID(uuidString: try context.parameters.require("paymentLinkRef")) else {
            throw PaymentRequestSearch.notFound
        }
        return reference
    }

    let database: any PostgresQueryable
    let audit: AuditLog
    let configuration: SupportConfiguration

    public init(database: any PostgresQueryable, configuration: SupportConfiguration) {
        self.database = database
        self.audit = AuditLog(database: database, channel: .api)
        self.configuration = configuration
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("support/transactions") { request, context -> Response in
            let actor = try context.authorize(role: .support)
            let search = try SupportRequests.search(request, configuration: configuration, now: Date())
            try await audit.record(actor.clientId, "search transactions", detail: request.uri.query, context)
            return JSONResponse.make(try await search.run(on: database), status: .ok)
        }
        group.get("support/transactions/:raasTxnRef") { _, context -> Response in
            let actor = try context.authorize(role: .support)
            let reference = try SupportRequests.raasTxnRef(context)
            try await audit.record(actor.clientId, "view transaction", target: reference.uuidString.lowercased(), context)
            guard let story = try await TransactionStory.read(reference, on: database) else { throw SupportRequests.notFound }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: story)))
        }
        group.post("support/transactions/:raasTxnRef/resend-result") { _, context -> Response in
            let actor = try context.authorize(role: .support)
            let reference = try SupportRequests.raasTxnRef(context)
            try await audit.record(actor.clientId, "resend result", target: reference.uuidString.lowercased(), context)
            try await SupportRequests.resendResult(reference, on: database)
            return JSONResponse.make(Answer.resultDeliveryQueued.coded, status: .accepted)
        }
        group.get("support/payment-requests") { request, context -> Response in
            let actor = try context.authorize(role: .support)
            let search = try PaymentRequestSearch(request, configuration: configuration)
            try await audit.record(actor.clientId, "search payment requests", detail: request.uri.query, context)
            let found = try await search.run(on: database)
            let body = try JSONSerialization.data(withJSONObject: ["paymentRequests": found], options: [.sortedKeys, .withoutEscapingSlashes])
            return JSONResponse.text(String(decoding: body, as: UTF8.self), status: .ok)
        }
        group.get("support/payment-requests/:paymentLinkRef") { _, context -> Response in
            let actor = try context.authorize(role: .support)
            let reference = try Self.paymentLinkRef(context)
            try await audit.record(actor.clientId, "view payment request", target: reference.uuidString.lowercased(), context)
            guard let story = try await PaymentRequestSearch.story(reference, on: database) else { throw PaymentRequestSearch.notFound }
            return JSONResponse.text(story, status: .ok)
        }
        group.get("support/exceptions") { _, context -> Response in
            let actor = try context.authorize(role: .support)
            try await audit.record(actor.clientId, "list exceptions", context)
            let items = try await SupportExceptions.list(
                holidays: configuration.publicHolidays, limit: configuration.maxExceptions, on: database)
            return JSONResponse.make(["exceptions": items], status: .ok)
        }
        group.get("support/reports/settlement") { request, context -> Response in
            let actor = try context.authorize(role: .support)
            let (date, clientId, vendorId) = try SupportRequests.settlement(request)
            let csv = try SupportRequests.wantsCSV(request)
            try await audit.record(actor.clientId, "settlement report", target: date.text, detail: request.uri.query, context)
            let report = try await SettlementReport.make(date: date, clientId: clientId, vendorId: vendorId, on: database)
            return SupportRequests.file(report, csv: csv)
        }
    }
}
