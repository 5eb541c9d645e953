import Foundation
import Observability
public import Postgres

/// The notifications' rows (Migrations/0005_notifications.sql, and its functions in
/// Migrations/repeatable/04_notifications.sql): every change is one statement, one round trip, and a span
/// (`db notifications.<function>`) in the trace of the request, or of each message of a worker's batch.
public struct NotificationStore: Sendable {
    let database: any PostgresQueryable

    public init(database: any PostgresQueryable) {
        self.database = database
    }

    /// What accepting a message came to.
    enum Acceptance: Equatable {
        /// Stored: its id and first status (QUEUED, or SCHEDULED when it is due later).
        case created(notificationId: UUID, status: MessageStatus)
        /// The client's reference was taken: the original message.
        case existing(notificationId: UUID, status: MessageStatus)
        case channelNotConfigured
    }

    func accept(_ request: NotificationRequest, notificationId: UUID) async throws -> Acceptance {
        let row = try await DatabaseSpan.measure("notifications.accept") { try await database.query("""
            SELECT (r).outcome, (r).notification_id, (r).status_code FROM (SELECT notifications.accept(jsonb_build_object(
                'notification_id', \(notificationId)::uuid, 'client_id', \(request.clientId)::bigint,
                'client_notification_ref', \(request.clientNotificationRef)::text, 'channel_id', \(request.channelId)::integer,
                'destination_identifier', \(request.destinationIdentifier)::text, 'message', \(request.message)::text,
                'source_identifier', \(request.sourceIdentifier)::text, 'transaction_ref', \(request.transactionRef)::text,
                'channel_route_id', \(request.channelRouteId)::text, 'scheduled_at', \(request.scheduledAt)::timestamptz,
                'valid_until', \(request.validUntil)::timestamptz, 'origin', \(request.origin)::text,
                'integration_id', \(request.integrationId)::bigint, 'client_message_id', \(request.clientMessageId)::text,
                'trace_parent', \(TraceContext.currentTraceParent())::text)) AS r) accepted
            """).single() }
        let outcome = try row.decode(String.self, "outcome")
        guard outcome != "channel_not_configured" else { return .channelNotConfigured }
        let id = try row.decode(UUID.self, "notification_id")
        let status = try Self.status(row.decode(Int.self, "status_code"))
        return outcome == "created" ? .created(notificationId: id, status: status) : .existing(notificationId: id, status: status)
    }

    /// Which message a lookup names: by id, or by the client's reference.
    enum Key {
        case id(UUID)
        case clientReference(clientId: Int64, reference: String)
    }

    /// The message and its history; nil when there is none (or it is another client's, when `clientId` is given).
    func find(_ key: Key, clientId: Int64?) async throws -> NotificationView? {
        let rows = try await DatabaseSpan.measure("notifications.messages") { switch key {
        case .id(let id):
            try await database.query("""
                \(unescaped: Self.viewColumns) WHERE m.notification_id = \(id)
                AND (\(clientId)::bigint IS NULL OR m.client_id = \(clientId)::bigint)
                """)
        case .clientReference(let owner, let reference):
            try await database.query("""
                \(unescaped: Self.viewColumns) WHERE m.client_id = \(owner) AND m.client_notification_ref = \(reference)
                AND (\(clientId)::bigint IS NULL OR m.client_id = \(clientId)::bigint)
                """)
        } }
        return try rows.first.map(NotificationView.init(row:))
    }

    static let viewColumns = """
        SELECT m.notification_id, m.client_id, m.client_notification_ref, m.channel_id, m.destination_identifier,
               m.source_identifier, m.transaction_ref, m.status_code, m.client_message_id,
               purchases.api_time(m.scheduled_at) AS scheduled_at,
               purchases.api_time(m.valid_until) AS valid_until, purchases.api_time(m.created_at) AS created_at,
               (SELECT json_agg(json_build_array(s.status_code, purchases.api_time(s.changed_at)) ORDER BY s.sequence)::text
                FROM notifications.status_changes s
                WHERE s.notification_id = m.notification_id AND s.changed_at >= retention.written_since(m.created_at)) AS history
        FROM notifications.messages m
        """

    enum StopOutcome: Equatable {
        case notFound
        case stopped(MessageStatus)
        /// Sent already, or being handed to a channel now: its status.
        case tooLate(MessageStatus)
    }

    func stop(_ id: UUID, clientId: Int64?, by status: MessageStatus) async throws -> StopOutcome {
        let row = try await DatabaseSpan.measure("notifications.stop") { try await database.query("""
            SELECT (r).found, (r).stopped, (r).status_code
            FROM (SELECT notifications.stop(\(id), \(clientId)::bigint, \(Int32(status.code))) AS r) stop
            """).single() }
        guard try row.decode(Bool.self, "found") else { return .notFound }
        let current = try Self.status(row.decode(Int.self, "status_code"))
        return try row.decode(Bool.self, "stopped") ? .stopped(current) : .tooLate(current)
    }

    /// A gateway's delivery receipt: "applied", "ignored" or "not_found".
    func recordReceipt(notificationId: UUID, supplierReference: String, status: MessageStatus) async throws -> String {
        try await DatabaseSpan.measure("notifications.record_receipt") { try await database.query("""
            SELECT notifications.record_receipt(\(notificationId), \(supplierReference), \(Int32(status.code))) AS outcome
            """).single().decode(String.self, "outcome") }
    }

    // MARK: Sending

    /// A message claimed for sending under a lease.
    struct SendClaim: Sendable, TracedClaim {
        let notificationId: UUID
        let leaseToken: UUID
        let channel: ChannelKind
        let destinationIdentifier: String
        let message: String
        let attempt: Int
        /// The trace the message's send joins (the request that accepted it); nil: not traced.
        let traceParent: String?
    }

    func claimSends(limit: Int, leaseSeconds: Int) async throws -> [SendClaim] {
        try await DatabaseSpan.measureBatch("notifications.claim_sends", traceParents: Self.traces(of:)) {
            try await database.query("""
                SELECT * FROM notifications.claim_sends(\(Int32(clamping: limit)), \(Int32(clamping: leaseSeconds)))
                """).map(Self.sendClaim(_:))
        }
    }

    private static func sendClaim(_ row: PostgresRow) throws -> SendClaim {
        guard let channel = ChannelKind(rawValue: try row.decode(Int.self, "channel_id")) else {
            throw PostgresError.decoding("unknown channel")
        }
        return SendClaim(
            notificationId: try row.decode(UUID.self, "notification_id"), leaseToken: try row.decode(UUID.self, "lease_token"),
            channel: channel, destinationIdentifier: try row.decode(String.self, "destination_identifier"),
            message: try row.decode(String.self, "message"), attempt: try row.decode(Int.self, "attempt"),
            traceParent: try row.decode(String?.self, "trace_parent"))
    }

    /// What a channel said about a claimed message, as notifications.record_sends reads it.
    struct SendReport: Encodable {
        let notificationId: UUID
        let leaseToken: UUID
        let outcome: String
        let supplierReference: String?
        let codes: [Int]
        let reason: String?
        let retryDelayMs: Int
        let maxAttempts: Int
        /// The message's trace, for the span of the report (not sent to the database).
        let traceParent: String?

        init(_ claim: SendClaim, _ outcome: SendOutcome, retryDelayMs: Int, maxAttempts: Int) {
            notificationId = claim.notificationId
            traceParent = claim.traceParent
            leaseToken = claim.leaseToken
            self.retryDelayMs = retryDelayMs
            self.maxAttempts = maxAttempts
            switch outcome {
            case .accepted(let reference, let receipts):
                (self.outcome, supplierReference, codes, reason) = ("accepted", reference, receipts.map(\.code), nil)
            case .refused(let status):
                (self.outcome, supplierReference, codes, reason) = ("refused", nil, [status.code], status.explanation)
            case .retryable(let why):
                (self.outcome, supplierReference, codes, reason) = ("retryable", nil, [], why)
            }
        }

        enum CodingKeys: String, CodingKey {
            case notificationId = "notification_id", leaseToken = "lease_token", outcome
            case supplierReference = "supplier_reference", codes, reason, retryDelayMs = "retry_delay_ms"
            case maxAttempts = "max_attempts"
        }
    }

    /// Records a batch's reports; how many still held their lease.
    @discardableResult
    func recordSends(_ reports: [SendReport]) async throws -> Int {
        guard !reports.isEmpty else { return 0 }
        return try await DatabaseSpan.measureBatch("notifications.record_sends", traceParents: { _ in reports.map(\.traceParent) }) {
            try await database.query("SELECT notifications.record_sends(\(try PostgresJSON(reports))) AS recorded")
                .single().decode(Int.self, "recorded")
        }
    }

    // MARK: Status callbacks

    /// A status change claimed for delivery to its client, under a lease.
    struct CallbackClaim: Sendable, TracedClaim {
        let notificationId: UUID
        let sequence: Int
        let leaseToken: UUID
        let clientId: Int64
        let attempt: Int
        let body: StatusCallback
        /// The trace the push joins (the message's); nil: not traced.
        let traceParent: String?
    }

    func claimCallbacks(limit: Int, leaseSeconds: Int) async throws -> [CallbackClaim] {
        try await DatabaseSpan.measureBatch("notifications.claim_callbacks", traceParents: Self.traces(of:)) {
            try await database.query("""
                SELECT *, purchases.api_time(changed_at) AS changed_at_text
                FROM notifications.claim_callbacks(\(Int32(clamping: limit)), \(Int32(clamping: leaseSeconds)))
                """).map(Self.callbackClaim(_:))
        }
    }

    private static func callbackClaim(_ row: PostgresRow) throws -> CallbackClaim {
        let id = try row.decode(UUID.self, "notification_id")
        return CallbackClaim(
            notificationId: id, sequence: try row.decode(Int.self, "sequence"),
            leaseToken: try row.decode(UUID.self, "lease_token"), clientId: try row.decode(Int64.self, "client_id"),
            attempt: try row.decode(Int.self, "attempts"),
            body: StatusCallback(
                notificationId: id.uuidString.lowercased(),
                clientNotificationRef: try row.decode(String.self, "client_notification_ref"),
                channelId: try row.decode(Int.self, "channel_id"),
                destinationIdentifier: try row.decode(String.self, "destination_identifier"),
                transactionRef: try row.decode(String?.self, "transaction_ref"),
                status: try Self.status(row.decode(Int.self, "status_code")),
                timestamp: try row.decode(String.self, "changed_at_text")),
            traceParent: try row.decode(String?.self, "trace_parent"))
    }

    struct CallbackReport: Encodable {
        let notificationId: UUID
        let sequence: Int
        let leaseToken: UUID
        let acknowledged: Bool
        let outcome: String
        let retryDelayMs: Int
        let maxAttempts: Int
        /// The message's trace, for the span of the report (not sent to the database).
        let traceParent: String?

        enum CodingKeys: String, CodingKey {
            case notificationId = "notification_id", sequence, leaseToken = "lease_token", acknowledged, outcome
            case retryDelayMs = "retry_delay_ms", maxAttempts = "max_attempts"
        }
    }

    func recordCallbacks(_ reports: [CallbackReport]) async throws {
        guard !reports.isEmpty else { return }
        _ = try await DatabaseSpan.measureBatch("notifications.record_callbacks", traceParents: { _ in reports.map(\.traceParent) }) {
            try await database.query("SELECT notifications.record_callbacks(\(try PostgresJSON(reports)))")
        }
    }

    /// Every broken notification invariant (`transact verify`); empty when sound.
    public func invariantViolations() async throws -> [String] {
        try await database.query("SELECT notifications.invariant_violations() AS problem").map {
            try $0.decode(String.self, "problem")
        }
    }

    /// The traces of the messages a claim handed out, for the claim's span in each.
    private static func traces(of claim: Result<[some TracedClaim], any Error>) -> [String?] {
        (try? claim.get())?.map(\.traceParent) ?? []
    }

    static func status(_ code: Int) throws -> MessageStatus {
        guard let status = MessageStatus(code: code) else { throw PostgresError.decoding("unknown message status \(code)") }
        return status
    }
}

/// A claimed item that carries the trace it joins.
protocol TracedClaim {
    var traceParent: String? { get }
}
