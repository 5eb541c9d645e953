import Foundation
public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore
import TransactCrypto

/// `POST /notification/1.0/receipts`: delivery receipts from a channel's HTTP gateway. Not a client's call, so no
/// bearer token: the body must carry the gateway's `Signature` (HMAC-SHA256 under the gateway secret, checked in
/// constant time before the body is read). Body: `{notificationId, supplierReference, statusCode}`. A receipt that
/// does not move the message on (a repeat, or one overtaken by a later status) is acknowledged and changes nothing.
public struct DeliveryReceiptRoutes: Sendable {
    let store: NotificationStore
    let secret: [UInt8]

    public static let path = "notification/1.0/receipts"

    public init(database: any PostgresQueryable, gatewaySecret: String) {
        self.store = NotificationStore(database: database)
        self.secret = Array(gatewaySecret.utf8)
    }

    struct Receipt {
        let notificationId: UUID
        let supplierReference: String
        let status: MessageStatus

        init(_ body: JSONRequestBody) throws(FormatError) {
            let id = try body.requiredString("notificationId", length: 36...36)
            guard let notificationId = UUID(uuidString: id) else { throw FormatError("notificationId", "must be a UUID") }
            self.notificationId = notificationId
            supplierReference = try body.requiredString("supplierReference", length: 1...128)
            let code = try body.requiredInteger("statusCode", .digits(3))
            guard let status = MessageStatus(code: Int(code)), status.isReportedBySupplier else {
                throw FormatError("statusCode", "must be a status a supplier reports (API.md §7)")
            }
            self.status = status
        }
    }

    struct Recorded: Encodable {
        let result: String
    }

    static let invalidSignature = APIError(status: .badRequest, Answer.headerSignatureInvalid.coded)

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post(RouterPath(Self.path)) { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: BodyLimitMiddleware.defaultMaxBytes)
            // No gateway secret, no receipts: an empty key would let anyone sign.
            guard !secret.isEmpty,
                RequestSignature.isValid(request.headers[.signature], body: body.readableBytesView, secret: secret)
            else { throw Self.invalidSignature }
            let receipt = try await request.validatedBody { body throws(FormatError) in try Receipt(body) }
            let outcome = try await store.recordReceipt(
                notificationId: receipt.notificationId, supplierReference: receipt.supplierReference, status: receipt.status)
            guard outcome != "not_found" else {
                throw APIError(status: .notFound, Answer.notificationNotFound.filled(receipt.notificationId.uuidString.lowercased()))
            }
            return JSONResponse.make(Recorded(result: outcome), status: .ok)
        }
    }
}
