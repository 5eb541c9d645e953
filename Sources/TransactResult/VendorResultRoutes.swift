public import Hummingbird
public import Postgres
public import ServiceHTTP
import Purchases
import TransactCore

/// `POST /vendorResult/1.0` (API.md §5.2): a vendor confirms an asynchronous vend. Role `vendor`, for its own
/// `vendorId` only. A confirmation for a transaction already final is acknowledged and changes nothing when it
/// agrees, and is recorded as a conflict for support when it does not.
public struct VendorResultRoutes: Sendable {
    let store: PurchaseStore

    public static let path = "vendorResult/1.0"

    public init(database: any PostgresQueryable) {
        self.store = PurchaseStore(database: database)
    }

    struct Confirmation {
        let vendorId: Int64
        let raasTxnRef: RaasTxnRef
        let vendReference: String
        let responseCode: String
        let responseMessage: String
        let token: String?

        init(_ body: JSONRequestBody) throws(FormatError) {
            vendorId = try body.requiredInteger("vendorId", .digits(12))
            let reference = try body.requiredString("raasTxnRef", length: 36...36)
            guard let raasTxnRef = RaasTxnRef(parsing: reference) else {
                throw FormatError("raasTxnRef", "must be a raasTxnRef issued by this service")
            }
            self.raasTxnRef = raasTxnRef
            vendReference = try body.requiredString("vendReference", length: 41...41)
            responseCode = try body.requiredString("responseCode", length: 4...4)
            guard ResponseCode(responseCode) != nil else { throw FormatError("responseCode", "must be 4 digits") }
            responseMessage = try body.string("responseMessage", length: 0...200) ?? ""
            token = try body.string("token", length: 0...64).flatMap { $0.isEmpty ? nil : $0 }
            _ = try body.requiredString("timestamp", length: 1...32)
        }
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post(RouterPath(Self.path)) { request, context -> Response in
            let confirmation = try await request.validatedBody { body throws(FormatError) in try Confirmation(body) }
            _ = try context.authorize(vendorId: confirmation.vendorId)
            let outcome = try await store.confirmVend(
                vendorId: confirmation.vendorId, raasTxnRef: confirmation.raasTxnRef,
                vendReference: confirmation.vendReference, code: confirmation.responseCode,
                message: confirmation.responseMessage, token: confirmation.token)
            guard outcome != .notFound else {
                throw APIError(
                    status: .notFound,
                    Answer.formatError.filled("vendReference", "no vend of this vendor was made under \(confirmation.vendReference)"))
            }
            return JSONResponse.make(Answer.success.coded, status: .ok)
        }
    }
}
