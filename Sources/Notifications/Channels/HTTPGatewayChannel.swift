import OutboundHTTP
import Foundation

/// A channel behind an HTTP gateway (API.md §7). The message is POSTed as JSON to the gateway's URL, signed with the
/// gateway secret (`Signature`, as in API.md §1.4), with the notificationId as the gateway's idempotency key. A 2xx
/// answer `{"supplierReference": …}` means the supplier has it (SENT_TO_SUPPLIER; later statuses arrive as signed
/// delivery receipts at `POST /notification/1.0/receipts`); a 4xx answer `{"statusCode": n}` refuses it for good
/// with that status (DELIVERY_FAILURE when it names none a supplier may report); anything else, no answer or a
/// timeout is worth another attempt.
public struct HTTPGatewayChannel: NotificationChannel {
    let url: String
    let transport: SignedHTTPTransport
    let timeout: Duration

    public init(url: String, secret: [UInt8], timeout: Duration) {
        self.url = url
        self.transport = SignedHTTPTransport(auth: .none, signatureSecret: secret)
        self.timeout = timeout
    }

    struct Submission: Encodable {
        let notificationId: String
        let channelId: Int
        let destinationIdentifier: String
        let message: String
    }

    struct Answer: Decodable {
        let supplierReference: String?
        let statusCode: Int?
    }

    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(Submission(
            notificationId: message.notificationId, channelId: message.channel.rawValue,
            destinationIdentifier: message.destinationIdentifier, message: message.message))
        else { return .retryable(reason: "the message could not be encoded") }
        let status: UInt
        let answer: Answer?
        do {
            let (httpStatus, data) = try await transport.post(Array(body), to: url, timeout: timeout)
            status = httpStatus.code
            answer = try? JSONDecoder().decode(Answer.self, from: data)
        } catch {
            return .retryable(reason: "no answer from the gateway: \(error)")
        }
        switch status {
        case 200..<300:
            guard let reference = answer?.supplierReference, (1...128).contains(reference.count) else {
                return .retryable(reason: "the gateway's answer has no supplierReference")
            }
            return .accepted(supplierReference: reference, receipts: [.sentToSupplier])
        case 400..<500 where status != 408 && status != 429:
            guard let refusal = answer?.statusCode.flatMap(MessageStatus.init(code:)), refusal.isReportedBySupplier else {
                return .refused(.deliveryFailure)
            }
            return .refused(refusal)
        default:
            return .retryable(reason: "the gateway answered HTTP \(status)")
        }
    }
}
