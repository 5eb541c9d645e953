import Metrics

/// Notification sends and callbacks by status (issue 16, point 3), counted where the workers learn them:
/// `transact_notification_sends_total{outcome, status}` — what the channel said (accepted, refused, retryable) and
/// the status the message is left in — and `transact_notification_callbacks_total{status, acknowledged}` — each
/// push of a status change to its client. The statuses are the table's names (API.md §7), a bounded set.
enum NotificationMetrics {
    static func countSend(_ outcome: SendOutcome) {
        let status = switch outcome {
        case .accepted(_, let receipts): receipts.last ?? .sentToSupplier
        case .refused(let status): status
        case .retryable: MessageStatus.queued
        }
        Counter(label: "transact_notification_sends_total", dimensions: [
            ("outcome", outcome.metricLabel), ("status", status.name),
        ]).increment()
    }

    static func countCallback(status: MessageStatus, acknowledged: Bool) {
        Counter(label: "transact_notification_callbacks_total", dimensions: [
            ("status", status.name), ("acknowledged", acknowledged ? "true" : "false"),
        ]).increment()
    }
}
