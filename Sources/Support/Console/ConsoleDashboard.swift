import Foundation
import Postgres

/// The console's front page: purchases per hour and how many succeeded (the last 24 hours), the outboxes' depth, the
/// work due now, and what the vendors answered. One statement.
struct ConsoleDashboard {
    let values: [String: Any]

    static func read(on database: any PostgresQueryable) async throws -> ConsoleDashboard {
        let row = try await database.read("""
            SELECT
                (SELECT coalesce(json_agg(json_build_array(to_char(x.hour, 'YYYY-MM-DD HH24:00'), x.n, x.succeeded)
                                          ORDER BY x.hour), '[]')::text
                 FROM (SELECT date_trunc('hour', t.created_at AT TIME ZONE 'UTC') AS hour, count(*) AS n,
                              count(*) FILTER (WHERE t.state = 'success') AS succeeded
                       FROM purchases.transactions t WHERE t.created_at > now() - interval '24 hours' GROUP BY 1) x) AS hours,
                (SELECT count(*) FROM purchases.jobs j WHERE j.kind = 'deliver_result' AND j.due_at IS NOT NULL) AS outbox,
                (SELECT count(*) FROM notifications.callbacks c WHERE c.status = 'pending') AS callbacks,
                (SELECT count(*) FROM purchases.jobs j WHERE j.due_at <= now() AND (j.leased_until IS NULL OR j.leased_until <= now()))
                    + (SELECT count(*) FROM notifications.messages m WHERE m.send_due_at <= now()) AS due,
                (SELECT coalesce(json_agg(json_build_array(y.vendor, y.code, y.n) ORDER BY y.vendor, y.code), '[]')::text
                 FROM (SELECT t.vendor_id AS vendor, coalesce(t.transact_result_response_code, 'pending') AS code,
                              count(*) AS n
                       FROM purchases.transactions t
                       WHERE t.created_at > now() - interval '24 hours' AND t.vendor_id IS NOT NULL GROUP BY 1, 2) y) AS vendors
            """).single()
        let hours = try Self.rows(row.decode(String.self, "hours"))
        let purchases = hours.reduce(0) { $0 + (($1[1] as? Int) ?? 0) }
        let succeeded = hours.reduce(0) { $0 + (($1[2] as? Int) ?? 0) }
        let busiest = hours.map { ($0[1] as? Int) ?? 0 }.max() ?? 0
        return ConsoleDashboard(values: [
            "purchases": purchases,
            "successRate": purchases == 0 ? "–" : String(format: "%.1f %%", Double(succeeded) * 100 / Double(purchases)),
            "outboxDepth": try row.decode(Int.self, "outbox"),
            "callbacksWaiting": try row.decode(Int.self, "callbacks"),
            "workDue": try row.decode(Int.self, "due"),
            "hours": hours.map { ["hour": $0[0], "count": $0[1], "succeeded": $0[2], "max": busiest] as [String: Any] },
            "vendorOutcomes": try Self.rows(row.decode(String.self, "vendors")).map {
                ["vendor": $0[0], "code": $0[1], "count": $0[2]] as [String: Any]
            },
        ])
    }

    static func rows(_ json: String) throws -> [[Any]] {
        (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]]) ?? []
    }
}
