import Foundation
import HummingbirdTesting
import Notifications
import Postgres
import Testing

@Suite("Notification rules: expiry, volume limits, messaging credit (API.md §7)", .serialized)
struct NotificationRulesTests {
    @Test("a message not sent before validUntil is EXPIRED (20) and never handed to a channel")
    func expiry() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                let past = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
                let expired = try await h.send(client, ref: "late", extra: #", "validUntil": "\#(past)""#)
                #expect(expired.status == .accepted)
                try await h.withWorkers { () async throws in
                    #expect(try await h.waitForHistory(expired.notificationId) == [2, 20])
                }
                let row = try await h.db.query("""
                    SELECT supplier_reference, price FROM notifications.messages WHERE notification_id = \(expired.notificationId)::uuid
                    """).single()
                #expect(try row.decode(String?.self, "supplier_reference") == nil && row.decode(Int64?.self, "price") == nil)
            }
        }
    }

    @Test("the daily limit per client and channel gives 27 and the monthly 28, without sending; other channels are counted apart")
    func volumeLimits() async throws {
        try await NotificationHarness.with { h in
            try await h.db.query("""
                UPDATE catalogue.clients SET notification_daily_limit = 2, notification_monthly_limit = 3 WHERE client_id = 200
                """)
            try await h.serve { client, _ in
                var ids: [String] = []
                for n in 1...3 { ids.append(try await h.send(client, ref: "d\(n)").notificationId) }
                let otherChannel = try await h.send(client, ref: "wa", channel: 8).notificationId
                try await h.withWorkers { () async throws in
                    #expect(try await h.waitForHistory(ids[0]) == [2, 4, 5])
                    #expect(try await h.waitForHistory(ids[1]) == [2, 4, 5])
                    #expect(try await h.waitForHistory(ids[2]) == [2, 27])
                    #expect(try await h.waitForHistory(otherChannel) { $0.last == 6 } == [2, 4, 5, 6])
                    try await h.db.query("UPDATE catalogue.clients SET notification_daily_limit = 10 WHERE client_id = 200")
                    let third = try await h.send(client, ref: "d4").notificationId
                    #expect(try await h.waitForHistory(third) == [2, 4, 5])
                    let fourth = try await h.send(client, ref: "d5").notificationId
                    #expect(try await h.waitForHistory(fourth) == [2, 28])
                }
                let shown = try await h.request(client, .get, "/notification/1.0/\(ids[2])")
                #expect(shown.object["status"] as? String == "VOLUME_LIMIT_DAILY")
                let counted = try await h.db.query("""
                    SELECT sent FROM notifications.volumes WHERE client_id = 200 AND channel_id = 6 AND period = 'month'
                    """).single().decode(Int.self, "sent")
                #expect(counted == 3)
            }
        }
    }

    @Test("each message is charged its channel's price from the client's messaging credit; one it cannot pay for is 25; a top-up pays")
    func messagingCredit() async throws {
        try await NotificationHarness.with { h in
            // Prices, and no credit yet: the demo client's ZAR credit is set aside, and its first top-up (in NGN) opens
            // a new account.
            try await h.db.query("""
                UPDATE catalogue.clients SET messaging_account_code = NULL, messaging_currency = NULL,
                    message_prices = '{"6": 25, "8": 15}' WHERE client_id = 200
                """)
            let credit = MessagingCredit(database: h.db)
            try await h.serve { client, _ in
                let unpaid = try await h.send(client, ref: "no-credit").notificationId
                try await h.withWorkers { () async throws in
                    #expect(try await h.waitForHistory(unpaid) == [2, 25])
                    let available = try await credit.topUp(clientId: 200, currency: "NGN", amount: 40, transferId: UUID())
                    #expect(available == 40)
                    let paid = try await h.send(client, ref: "paid").notificationId
                    #expect(try await h.waitForHistory(paid) == [2, 4, 5])
                    #expect(try await credit.available(clientId: 200) == 15)
                    let tooDear = try await h.send(client, ref: "too-dear").notificationId
                    #expect(try await h.waitForHistory(tooDear) == [2, 25])
                    let cheaper = try await h.send(client, ref: "whatsapp", channel: 8).notificationId
                    #expect(try await h.waitForHistory(cheaper) { $0.last == 6 } == [2, 4, 5, 6])
                    #expect(try await credit.available(clientId: 200) == 0)
                }
                let revenue = try await h.db.query("SELECT posted FROM ledger.balances WHERE code = 'revenue:messaging:NGN'")
                    .single().decode(Int64.self, "posted")
                #expect(revenue == 40)
                #expect(try await h.invariantViolations().isEmpty)
            }
            // The same top-up reference twice is booked once.
            let transfer = UUID()
            _ = try await credit.topUp(clientId: 200, currency: "NGN", amount: 100, transferId: transfer)
            #expect(try await credit.topUp(clientId: 200, currency: "NGN", amount: 100, transferId: transfer) == 100)
            // The client's credit is in one currency.
            await #expect(throws: PostgresError.self) {
                _ = try await credit.topUp(clientId: 200, currency: "ZAR", amount: 100, transferId: UUID())
            }
        }
    }

    @Test("a message no supplier can be reached for is retried, then DELIVERY_FAILURE (23) and its charge refunded")
    func retriesThenRefund() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                let before = try await MessagingCredit(database: h.db).available(clientId: 200)
                let message = try await h.send(client, ref: "down").notificationId
                try await h.withWorkers(channels: ChannelDirectory(configuration: {
                    var configuration = NotificationConfiguration()
                    // Nothing listens here: every hand-off fails to connect.
                    configuration.gatewayURLs = [.sms: "http://127.0.0.1:9/messages"]
                    configuration.gatewaySecret = "s"
                    // The HTTP client keeps trying to connect until the hand-off's deadline: keep it short.
                    configuration.gatewayTimeoutMs = 200
                    return configuration
                }())) { () async throws in
                    let codes = try await h.waitForHistory(message)
                    #expect(codes == [2, 23])
                }
                let row = try await h.db.query("""
                    SELECT send_attempts, refunded, price FROM notifications.messages WHERE notification_id = \(message)::uuid
                    """).single()
                #expect(try row.decode(Int.self, "send_attempts") == 3)
                #expect(try row.decode(Bool.self, "refunded") && row.decode(Int64.self, "price") == 25)
                #expect(try await MessagingCredit(database: h.db).available(clientId: 200) == before)
                #expect(try await h.invariantViolations().isEmpty)
            }
        }
    }
}
