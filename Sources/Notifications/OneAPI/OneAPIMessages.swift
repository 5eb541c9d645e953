import Foundation
import TransactCore

/// `POST /v1/message`'s body (API.md §13): `{"messages": [{channel, to, content, clientMessageId?}]}`, 1 to 200
/// messages. The body as a whole is malformed (400) or read; then each message is accepted or refused on its own.
struct OneAPIMessages {
    static let maxMessages = 200

    /// One message of the body, read by its rules.
    struct Message {
        let channelId: Int64
        let to: String
        let content: String
        let clientMessageId: String?
    }

    /// A message refused on its own: Clickatell's error code and description.
    struct Refusal: Error, Encodable {
        let code: Int
        let description: String

        static func invalid(_ description: String) -> Refusal { Refusal(code: 101, description: description) }
        static let invalidDestination = Refusal(code: 105, description: "Invalid destination address")
        static let channelNotAllowed = Refusal(code: 114, description: "Cannot route message: the channel is not configured for this integration")
    }

    /// Each message as given: read, or refused (with `to` when it could be read, for the answer).
    let messages: [(to: String?, message: Result<Message, Refusal>)]

    /// A body that is not `{"messages": [1 to 200 objects]}` is refused whole.
    init(bytes: [UInt8]) throws(Refusal) {
        let body = try Self.object(bytes)
        guard let list = body["messages"] as? [Any], (1...Self.maxMessages).contains(list.count) else {
            throw .invalid("messages: must be a list of 1 to \(Self.maxMessages) messages")
        }
        messages = list.map { item in
            guard let fields = item as? [String: Any] else { return (nil, .failure(.invalid("a message must be an object"))) }
            let to = fields["to"] as? String
            return (to, Result { () throws(Refusal) in try Self.read(fields) })
        }
    }

    /// The Platform API's body (`POST /messages`, or `GET /messages/http/send`'s parameters): one content to one or
    /// more numbers (`to`, a list or one), by SMS.
    init(platform body: [String: Any]) throws(Refusal) {
        let numbers: [Any] = if let list = body["to"] as? [Any] { list } else if let one = body["to"] as? String { [one] } else { [] }
        guard (1...Self.maxMessages).contains(numbers.count) else {
            throw .invalid("to: must be 1 to \(Self.maxMessages) numbers")
        }
        // One content for every number: when it breaks its rule, the whole request does.
        guard let content = body["content"] as? String, (1...1_600).contains(content.count),
            !content.unicodeScalars.contains(where: { $0.value == 0 })
        else { throw .invalid("content: must be 1 to 1600 characters") }
        messages = numbers.map { number in
            var fields = body
            fields["to"] = number
            fields["channel"] = "sms"
            return (number as? String, Result { () throws(Refusal) in try Self.read(fields) })
        }
    }

    /// The platform body's JSON.
    init(platformBytes bytes: [UInt8]) throws(Refusal) {
        try self.init(platform: Self.object(bytes))
    }

    /// A body that is one JSON object.
    static func object(_ bytes: [UInt8]) throws(Refusal) -> [String: Any] {
        guard StrictJSON.isValid(bytes), let body = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .invalid("the body must be a JSON object")
        }
        return body
    }

    static func read(_ fields: [String: Any]) throws(Refusal) -> Message {
        let channel = fields["channel"] as? String
        let channelId: Int64 = switch channel {
        case "sms": 6
        case "whatsapp": 8
        default: throw .invalid("channel: must be sms or whatsapp")
        }
        // An MSISDN in international form; a leading + is Clickatell's way of writing it too.
        guard var to = fields["to"] as? String else { throw .invalidDestination }
        if to.hasPrefix("+") { to.removeFirst() }
        guard FieldRules.isMSISDN(to) else { throw .invalidDestination }
        let maxLength = channelId == 8 ? 4_096 : 1_600
        guard let content = fields["content"] as? String, (1...maxLength).contains(content.count),
            !content.unicodeScalars.contains(where: { $0.value == 0 })
        else { throw .invalid("content: must be 1 to \(maxLength) characters") }
        var clientMessageId: String?
        if let value = fields["clientMessageId"], !(value is NSNull) {
            guard let text = value as? String, (1...200).contains(text.count), !text.unicodeScalars.contains(where: { $0.value == 0 }) else {
                throw .invalid("clientMessageId: must be 1 to 200 characters")
            }
            clientMessageId = text
        }
        return Message(channelId: channelId, to: to, content: content, clientMessageId: clientMessageId)
    }
}
