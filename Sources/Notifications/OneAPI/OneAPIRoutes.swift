import Foundation
public import Hummingbird
public import Postgres
public import ServiceHTTP

/// The One API's messaging face (API.md §13), on the Notifications store and pipeline (§7): the same messages,
/// limits, credit and statuses, reached the way Clickatell's One API reaches them. Behind the integration
/// authentication middleware: each request acts for its integration's client, on the integration's channels.
/// - `POST /v1/message`: 1 to 200 messages, each accepted (202) or refused on its own.
/// - `GET /v1/message/{apiMessageId}`: a message of the client's, and its status.
/// - The older Platform API: `POST /messages` `{"to": [...], "content"}` and `GET /messages/http/send?apiKey=&to=&content=`.
/// A request whose accepted messages the client's messaging credit cannot pay is refused whole (402).
public struct OneAPIRoutes: Sendable {
    let store: NotificationStore
    let credit: MessagingCredit

    public init(database: any PostgresQueryable) {
        self.store = NotificationStore(database: database)
        self.credit = MessagingCredit(database: database)
    }

    /// A message's line in the answer.
    struct Line: Encodable {
        let apiMessageId: String?
        let accepted: Bool
        let to: String?
        let clientMessageId: String?
        let error: OneAPIMessages.Refusal?

        enum CodingKeys: String, CodingKey { case apiMessageId, accepted, to, clientMessageId, error }

        // Nulls written out, as Clickatell's answers have them.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(apiMessageId, forKey: .apiMessageId)
            try container.encode(accepted, forKey: .accepted)
            try container.encode(to, forKey: .to)
            try container.encode(clientMessageId, forKey: .clientMessageId)
            try container.encode(error, forKey: .error)
        }
    }

    struct Answer: Encodable {
        let messages: [Line]
        let error: OneAPIMessages.Refusal?

        enum CodingKeys: String, CodingKey { case messages, error }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(messages, forKey: .messages)
            try container.encode(error, forKey: .error)
        }
    }

    struct Status: Encodable {
        let apiMessageId: String
        let clientMessageId: String?
        let to: String
        let channel: String
        let status: String
        let statusCode: Int
        let description: String
        let timestamp: String
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post("v1/message") { request, context -> Response in
            let bytes = try await Self.body(request)
            return try await send({ () throws(OneAPIMessages.Refusal) in try OneAPIMessages(bytes: bytes) }, context)
        }
        group.post("messages") { request, context -> Response in
            let bytes = try await Self.body(request)
            return try await send({ () throws(OneAPIMessages.Refusal) in try OneAPIMessages(platformBytes: bytes) }, context)
        }
        group.get("messages/http/send") { request, context -> Response in
            let parameters = request.uri.queryParameters
            var body: [String: Any] = [:]
            // `to` may list several numbers, comma separated, as the Platform's HTTP API takes them.
            if let to = parameters["to"] { body["to"] = to.split(separator: ",").map(String.init) as [Any] }
            if let content = parameters["content"] { body["content"] = String(content) }
            return try await send({ () throws(OneAPIMessages.Refusal) in try OneAPIMessages(platform: body) }, context)
        }
        group.get("v1/message/:apiMessageId") { _, context -> Response in
            let integration = try context.requireIntegration()
            let text = context.parameters.get("apiMessageId") ?? ""
            guard text.utf8.count <= 64, let id = UUID(uuidString: text),
                let found = try await store.find(.id(id), clientId: integration.clientId)
            else {
                return JSONResponse.make(
                    Answer(messages: [], error: OneAPIMessages.Refusal(code: 404, description: "No message \(text.prefix(64))")),
                    status: .notFound)
            }
            return JSONResponse.make(
                Status(
                    apiMessageId: found.notificationId, clientMessageId: found.clientMessageId,
                    to: found.destinationIdentifier, channel: found.channelId == 8 ? "whatsapp" : "sms", status: found.status,
                    statusCode: found.statusCode, description: found.description,
                    timestamp: found.history.last?.timestamp ?? found.createdAt),
                status: .ok)
        }
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        return Array(try await request.collectBody(upTo: BodyLimitMiddleware.defaultMaxBytes).readableBytesView)
    }

    /// Reads the request's messages (a body that cannot be read is 400, whole), then accepts each message that can
    /// be, after checking the client's credit can pay for them all.
    private func send(
        _ read: () throws(OneAPIMessages.Refusal) -> OneAPIMessages, _ context: TransactRequestContext
    ) async throws -> Response {
        let integration = try context.requireIntegration()
        let body: OneAPIMessages
        do throws(OneAPIMessages.Refusal) {
            body = try read()
        } catch {
            return JSONResponse.make(Answer(messages: [], error: error), status: .badRequest)
        }
        let payable = body.messages.compactMap { try? $0.message.get() }.filter { integration.channels.contains($0.channelId) }
        guard try await credit.canPay(clientId: integration.clientId, channels: payable.map(\.channelId)) else {
            return JSONResponse.make(
                Answer(messages: [], error: OneAPIMessages.Refusal(code: 301, description: "No credit left: the messaging credit cannot pay")),
                status: .init(code: 402, reasonPhrase: "Payment Required"))
        }
        var lines: [Line] = []
        for (to, message) in body.messages {
            lines.append(try await accept(message, to: to, for: integration))
        }
        return JSONResponse.make(Answer(messages: lines, error: nil), status: .accepted)
    }

    /// One message accepted into the Notifications store, or its refusal.
    private func accept(
        _ message: Result<OneAPIMessages.Message, OneAPIMessages.Refusal>, to: String?, for integration: AuthenticatedIntegration
    ) async throws -> Line {
        let read: OneAPIMessages.Message
        switch message {
        case .failure(let refusal): return Line(apiMessageId: nil, accepted: false, to: to, clientMessageId: nil, error: refusal)
        case .success(let message): read = message
        }
        guard integration.channels.contains(read.channelId) else {
            return Line(apiMessageId: nil, accepted: false, to: read.to, clientMessageId: read.clientMessageId, error: .channelNotAllowed)
        }
        let id = UUID()
        let request = NotificationRequest(
            clientId: integration.clientId, channelId: read.channelId, destinationIdentifier: read.to, message: read.content,
            clientNotificationRef: "one-api/" + id.uuidString.lowercased(), origin: "one_api",
            integrationId: integration.integrationId, clientMessageId: read.clientMessageId)
        switch try await store.accept(request, notificationId: id) {
        case .channelNotConfigured:
            return Line(apiMessageId: nil, accepted: false, to: read.to, clientMessageId: read.clientMessageId, error: .channelNotAllowed)
        case .created(let notificationId, _), .existing(let notificationId, _):
            return Line(
                apiMessageId: notificationId.uuidString.lowercased(), accepted: true, to: read.to,
                clientMessageId: read.clientMessageId, error: nil)
        }
    }
}
