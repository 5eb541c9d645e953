public import Foundation
public import Postgres

/// `GET /support/transactions/{raasTxnRef}` (API.md §8): the whole story of a transaction in one answer, read in
/// one statement: the request as stored, every state it entered (time, cause, code), every call to the bank, the
/// vendor and the client (time, operation, outcome, latency), its ledger transfers with their postings, its result
/// delivery with the attempts, what a status lookup and the vendor's confirmations said, and the notifications sent
/// about it. No secret, no auth code and no party's credentials are ever stored, so none can appear here.
public enum TransactionStory {
    /// A time to the microsecond, ISO 8601 in UTC: a transaction's steps often fall within one millisecond, and
    /// support orders them by it. (The APIs answer to the millisecond: `purchases.api_time`.)
    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    static let statement = """
        SELECT json_build_object(
            'transaction', json_build_object(
                'raasTxnRef', t.raas_txn_ref, 'clientTxnRef', t.client_txn_ref, 'clientId', t.client_id,
                'flow', t.flow, 'state', t.state,
                'transactionStatus', purchases.public_status(t.state),
                'productId', t.product_id, 'productTypeId', t.product_type_id, 'vendorId', t.vendor_id,
                'fundingSourceId', t.funding_source_id, 'channelId', t.channel_id, 'channelName', t.channel_name,
                'channelSessionId', t.channel_session_id, 'sourceIdentifier', t.source_identifier,
                'targetIdentifier', t.target_identifier, 'accountIdentifier', t.account_identifier,
                'currencyCode', t.currency_code, 'purchaseAmount', t.purchase_amount, 'feeAmount', t.fee_amount,
                'reserveAmount', t.reserve_amount, 'vendAmount', t.vend_amount,
                'clientShareAmount', t.client_share_amount, 'vendorShareAmount', t.vendor_share_amount,
                'settlementAmount', t.settlement_amount, 'requestTimestamp', t.request_timestamp,
                'reserveFundsTxnRef', t.reserve_funds_txn_ref, 'responseCode', t.response_code,
                'responseMessage', t.response_message, 'reserveFundsResponseCode', t.reserve_funds_response_code,
                'transactResultResponseCode', t.transact_result_response_code,
                'transactResultResponseMessage', t.transact_result_response_message, 'token', t.token,
                'vendedReference', t.vended_reference, 'vendAttempts', t.vend_attempts, 'statusPolls', t.status_polls,
                'createdAt', \(utc("t.created_at")), 'finalAt', \(utc("t.final_at"))),
            'stateChanges', coalesce((
                SELECT json_agg(json_build_object('sequence', s.sequence, 'state', s.state, 'cause', s.cause,
                                                  'responseCode', s.response_code, 'at', \(utc("s.changed_at")))
                                ORDER BY s.sequence)
                FROM purchases.state_changes s
                WHERE s.raas_txn_ref = t.raas_txn_ref AND s.changed_at >= retention.written_since(t.created_at)), '[]'),
            'calls', coalesce((
                SELECT json_agg(json_build_object('party', c.party, 'operation', c.operation, 'reference', c.reference,
                                                  'outcome', c.outcome, 'latencyMs', c.latency_ms,
                                                  'at', \(utc("c.called_at")))
                                ORDER BY c.called_at)
                FROM purchases.calls c
                WHERE c.raas_txn_ref = t.raas_txn_ref AND c.called_at >= retention.written_since(t.created_at)), '[]'),
            'ledgerTransfers', coalesce((
                SELECT json_agg(json_build_object(
                           'id', x.id, 'kind', x.kind, 'description', x.description, 'at', \(utc("x.created_at")),
                           'postings', (SELECT json_agg(json_build_object('account', a.code, 'amount', p.amount)
                                                        ORDER BY a.code)
                                        FROM ledger.moved_postings(x.id) p JOIN ledger.accounts a ON a.id = p.account_id))
                                ORDER BY x.created_at, x.kind <> 'pending')
                FROM ledger.transfers x WHERE x.id = t.raas_txn_ref OR x.pending_id = t.raas_txn_ref), '[]'),
            'resultDelivery', (
                SELECT json_build_object(
                    'recipient', d.recipient, 'status', d.status, 'attempts', d.attempts,
                    'firstAttemptAt', \(utc("d.first_attempt_at")), 'lastAttemptAt', \(utc("d.last_attempt_at")),
                    'lastOutcome', d.last_outcome, 'acknowledgedAt', \(utc("d.acknowledged_at")),
                    'body', (SELECT b.body FROM purchases.result_bodies b WHERE b.raas_txn_ref = t.raas_txn_ref)::json)
                FROM purchases.result_deliveries d WHERE d.raas_txn_ref = t.raas_txn_ref),
            'reservationLookup', (
                SELECT json_build_object('responseCode', l.response_code, 'responseMessage', l.response_message,
                                         'reserveFundsTxnRef', l.reserve_funds_txn_ref, 'at', \(utc("l.looked_up_at")))
                FROM purchases.reservation_lookups l WHERE l.raas_txn_ref = t.raas_txn_ref),
            'vendorConflicts', coalesce((
                SELECT json_agg(json_build_object('vendReference', v.vend_reference, 'responseCode', v.response_code,
                                                  'responseMessage', v.response_message, 'at', \(utc("v.received_at")))
                                ORDER BY v.received_at)
                FROM purchases.vendor_conflicts v WHERE v.raas_txn_ref = t.raas_txn_ref), '[]'),
            'pendingWork', coalesce((
                SELECT json_agg(json_build_object('kind', j.kind, 'dueAt', \(utc("j.due_at")), 'claims', j.claims)
                                ORDER BY j.kind)
                FROM purchases.jobs j WHERE j.raas_txn_ref = t.raas_txn_ref), '[]'),
            'notifications', coalesce((
                SELECT json_agg(json_build_object('notificationId', n.notification_id, 'channelId', n.channel_id,
                                                  'destinationIdentifier', n.destination_identifier,
                                                  'statusCode', n.status_code, 'createdAt', \(utc("n.created_at")))
                                ORDER BY n.created_at)
                FROM notifications.messages n WHERE n.transaction_ref = t.raas_txn_ref::text), '[]')
        )::text AS story
        FROM purchases.transactions t WHERE t.raas_txn_ref = $1
        """

    /// The story as JSON text; nil when there is no such transaction.
    public static func read(_ raasTxnRef: UUID, on database: any PostgresQueryable) async throws -> String? {
        var query = PostgresQuery(sql: statement)
        query.bindings = [PostgresBinding(raasTxnRef)]
        return try await database.read(query).first?.decode(String.self, "story")
    }
}
