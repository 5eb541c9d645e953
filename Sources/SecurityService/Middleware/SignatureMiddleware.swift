import Foundation
public import Hummingbird
import HTTPTypes
public import ServiceHTTP
import TransactCore
import TransactCrypto

/// The `Signature` header (API.md §1.4) on the routes that carry money: Base64(HMAC-SHA256(secret, raw body)),
/// checked over the bytes received, before parsing, in constant time, when the client requires it. A missing or
/// wrong signature is 400 `4000` "Header Signature invalid" and nothing is stored.
public struct SignatureMiddleware: RouterMiddleware {
    public typealias Context = TransactRequestContext

    let sealer: SecretSealer

    public init(sealer: SecretSealer) {
        self.sealer = sealer
    }

    static let invalid = Answer.headerSignatureInvalid.coded

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let client = try context.requireClient()
        guard client.signatureRequired else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: BodyLimitMiddleware.defaultMaxBytes)
        guard let sealed = client.signatureSecretSealed else { return JSONResponse.make(Self.invalid, status: .badRequest) }
        let secret = try sealer.open(sealed, purpose: "client:\(client.clientId):signature")
        guard RequestSignature.isValid(request.headers[.signature], body: body.readableBytesView, secret: secret) else {
            return JSONResponse.make(Self.invalid, status: .badRequest)
        }
        return try await next(request, context)
    }
}
