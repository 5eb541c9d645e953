import OutboundHTTP
import Foundation
public import Hummingbird
import Notifications
import TransactCrypto

/// `transact simulate gateway` over HTTP: a messaging gateway for the `http` channel adapter (API.md §7).
/// `POST /messages` takes a message signed with the gateway secret, answers `{"supplierReference": …}` at once, then
/// posts the rest of the simulated channel's journey for that number (`SimulatedChannel.journey`) to the service's
/// receipts URL as signed delivery receipts, one after another. A number ending in 503 is answered HTTP 503 (the
/// gateway is down: the service tries again later); an unsigned or wrongly signed message is refused with 401.
public struct GatewaySimulatorRoutes: Sendable {
    let receiptsURL: String?
    let secret: [UInt8]
    let transport: SignedHTTPTransport

    public init(receiptsURL: String?, secret: String) {
        self.receiptsURL = receiptsURL
        self.secret = Array(secret.utf8)
        self.transport = SignedHTTPTransport(auth: .none, signatureSecret: Array(secret.utf8))
    }

    struct Submission: Decodable {
        let notificationId: String
        let channelId: Int
        let destinationIdentifier: String
        let message: String
    }

    struct Accepted: Encodable {
        let supplierReference: String
    }

    struct Receipt: Encodable {
        let notificationId: String
        let supplierReference: String
        let statusCode: Int
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("messages") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1_024)
            guard RequestSignature.isValid(request.headers[.init("Signature")!], body: body.readableBytesView, secret: secret) else {
                throw HTTPError(.unauthorized, message: "Signature invalid")
            }
            let submission = try JSONDecoder().decode(Submission.self, from: Data(body.readableBytesView))
            guard !submission.destinationIdentifier.hasSuffix("503") else { throw HTTPError(.serviceUnavailable) }
            let reference = "gw-" + submission.notificationId
            let journey = SimulatedChannel.journey(
                of: submission.destinationIdentifier, on: ChannelKind(rawValue: submission.channelId) ?? .sms)
            if let receiptsURL {
                // After the answer: the receipts of the statuses that follow SENT_TO_SUPPLIER, in order.
                Task {
                    for status in journey.dropFirst() {
                        try? await Task.sleep(for: .milliseconds(20))
                        let receipt = Receipt(notificationId: submission.notificationId, supplierReference: reference, statusCode: status.code)
                        guard let bytes = try? JSONEncoder().encode(receipt) else { return }
                        _ = try? await transport.post(Array(bytes), to: receiptsURL, timeout: .seconds(10))
                    }
                }
            }
            return try SimulatorJSON.response(Accepted(supplierReference: reference))
        }
    }
}
