import Foundation
public import Hummingbird
public import Postgres
public import ServiceHTTP
import TransactCore

/// The Notifications API (API.md §7): `POST /notification/1.0` queues a message (202); `GET` the same path with
/// `/{notificationId}` or `?clientNotificationRef=` shows its status and history; `DELETE /{notificationId}` stops
/// a message not yet sent (21 for its client, 22 for support). A client sees only its own messages; support reads
/// and stops any.
public struct NotificationRoutes: Sendable {
    let store: NotificationStore
    let maxScheduleDays: Int

    public static let path = "notification/1.0"

    public init(database: any PostgresQueryable, maxScheduleDays: Int) {
        self.store = NotificationStore(database: database)
        self.maxScheduleDays = maxScheduleDays
    }

    struct Accepted: Encodable {
        let notificationId: String
        let clientNotificationRef: String
        let status: String
        let statusCode: Int
    }

    /// 404 for a message that is not there or not the caller's (the two look the same).
    struct NotFound: Encodable {
        let responseCode = Answer.notificationNotFound.code
        let responseMessage: String
        let status = MessageStatus.unknown.name
        let statusCode = MessageStatus.unknown.code
        let description = MessageStatus.unknown.explanation
    }

    struct Stopped: Encodable {
        let notificationId: String
        let status: String
        let statusCode: Int
        let description: String
    }

    /// 409: the message was sent already, or is being handed to a channel.
    struct TooLate: Encodable {
        let responseCode = Answer.notificationTooLate.code
        let responseMessage = Answer.notificationTooLate.message
        let notificationId: String
        let status: String
        let statusCode: Int
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.post(RouterPath(Self.path)) { request, context -> Response in
            let message = try await request.validatedBody { body throws(FormatError) in
                try NotificationRequest(body, now: Date(), maxScheduleDays: maxScheduleDays)
            }
            _ = try context.authorize(clientId: message.clientId)
            let answer: (UUID, MessageStatus) = switch try await store.accept(message, notificationId: UUID()) {
            case .channelNotConfigured:
                throw APIError(status: .badRequest, Answer.channelNotConfigured.coded)
            case .created(let id, let status), .existing(let id, let status):
                (id, status)
            }
            return JSONResponse.make(
                Accepted(
                    notificationId: answer.0.uuidString.lowercased(), clientNotificationRef: message.clientNotificationRef,
                    status: answer.1.name, statusCode: answer.1.code),
                status: .accepted)
        }

        group.get(RouterPath(Self.path)) { request, context -> Response in
            let reference = try request.stringParameter("clientNotificationRef", length: 1...64)
            let caller = try context.requireClient()
            // A client's own reference; support names the client.
            let owner = try request.optionalIntegerParameter("clientId", .digits(5)) ?? caller.clientId
            let client = try context.authorize(clientId: owner, allowing: [.support])
            return try await show(.clientReference(clientId: owner, reference: reference), for: client, named: reference)
        }

        group.get(RouterPath(Self.path + "/:notificationId")) { _, context -> Response in
            let text = try context.parameters.require("notificationId")
            let client = try context.requireClient()
            guard let id = UUID(uuidString: text) else { throw NotFoundError(name: text) }
            return try await show(.id(id), for: client, named: text)
        }

        group.delete(RouterPath(Self.path + "/:notificationId")) { _, context -> Response in
            let text = try context.parameters.require("notificationId")
            // Its client stops its own message (21); support stops anyone's (22).
            let owner = try Self.scope(of: context.requireClient())
            let status: MessageStatus = owner == nil ? .stoppedByAdmin : .stoppedByUser
            guard let id = UUID(uuidString: text) else { throw NotFoundError(name: text) }
            switch try await store.stop(id, clientId: owner, by: status) {
            case .notFound:
                throw NotFoundError(name: text)
            case .stopped(let stopped):
                return JSONResponse.make(
                    Stopped(notificationId: id.uuidString.lowercased(), status: stopped.name, statusCode: stopped.code,
                            description: stopped.explanation),
                    status: .ok)
            case .tooLate(let current):
                return JSONResponse.make(
                    TooLate(notificationId: id.uuidString.lowercased(), status: current.name, statusCode: current.code),
                    status: .conflict)
            }
        }
    }

    private func show(_ key: NotificationStore.Key, for client: AuthenticatedClient, named name: String) async throws -> Response {
        guard let view = try await store.find(key, clientId: try Self.scope(of: client)) else { throw NotFoundError(name: name) }
        return JSONResponse.make(view, status: .ok)
    }

    /// Whose messages the caller may read and stop: a client its own (its clientId), support anyone's (nil).
    static func scope(of client: AuthenticatedClient) throws -> Int64? {
        switch client.role {
        case .client: client.clientId
        case .support: nil
        default: throw Forbidden("role \(client.role.rawValue) may not call this endpoint")
        }
    }

    /// The 404 answer as an error, so that routes can throw it.
    struct NotFoundError: HTTPResponseError {
        let name: String
        var status: HTTPResponse.Status { .notFound }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            JSONResponse.make(
                NotFound(responseMessage: Answer.notificationNotFound.filled(String(name.prefix(64))).message), status: .notFound)
        }
    }
}
