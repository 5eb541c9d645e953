import Foundation
import Hummingbird
import HummingbirdTesting
import Notifications
import Simulators
import Testing
import TransactCrypto

@Suite("Notification delivery: callbacks, the HTTP gateway, several processes, token SMS (API.md §7)", .serialized)
struct NotificationDeliveryTests {
    @Test("status changes are pushed to the client's callback URL in order, retried until acknowledged, the same bytes each time")
    func callbacks() async throws {
        try await NotificationHarness.with { h in
            let recorder = CallbackRecorder(refusals: 2)
            try await Application(router: recorder.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                .test(.live) { receiver in
                    let url = "http://127.0.0.1:\(try #require(receiver.port))/callback"
                    try await h.db.query("UPDATE catalogue.clients SET notification_callback_url = \(url) WHERE client_id = 200")
                    try await h.serve { client, _ in
                        let sent = try await h.send(client, ref: "cb-1")
                        try await h.withWorkers { () async throws in
                            try await h.waitForHistory(sent.notificationId)
                            // Until both changes are recorded as acknowledged (a body arrives before its record).
                            let deadline = ContinuousClock.now + .seconds(20)
                            while ContinuousClock.now < deadline, try await h.db.query("""
                                SELECT count(*) AS n FROM notifications.callbacks WHERE status = 'acknowledged'
                                """).single().decode(Int.self, "n") < 2 {
                                try await Task.sleep(for: .milliseconds(30))
                            }
                        }
                        let bodies = recorder.bodies.withLock { $0 }
                        // Two refusals of the first change (SENT_TO_SUPPLIER), its acknowledged repeat, then DEVICE_ACK.
                        #expect(bodies.count == 4)
                        #expect(Set(bodies.prefix(3)).count == 1, "every attempt carries the same bytes")
                        let decoded = bodies.compactMap {
                            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
                        }
                        #expect(decoded.compactMap { $0["statusCode"] as? Int } == [4, 4, 4, 5])
                        #expect(decoded.allSatisfy { $0["notificationId"] as? String == sent.notificationId })
                        #expect(decoded.last?["clientNotificationRef"] as? String == "cb-1")
                        #expect(decoded.last?["status"] as? String == "DEVICE_ACK")
                        let rows = try await h.db.query("""
                            SELECT status, attempts FROM notifications.callbacks ORDER BY sequence
                            """).map { (try $0.decode(String.self, "status"), try $0.decode(Int.self, "attempts")) }
                        #expect(rows.map(\.0) == ["acknowledged", "acknowledged"] && rows.map(\.1) == [3, 1])
                        // Sends and callbacks are counted by status (issue 16).
                        let metrics = try await client.execute(uri: "/metrics", method: .get)
                        let lines = String(buffer: metrics.body).split(separator: "\n")
                        func counted(_ name: String, _ labels: [String]) -> Bool {
                            lines.contains { $0.hasPrefix(name + "{") && labels.allSatisfy($0.contains) }
                        }
                        #expect(counted("transact_notification_sends_total", [#"outcome="accepted""#, #"status="DEVICE_ACK""#]))
                        #expect(counted("transact_notification_callbacks_total", [#"status="SENT_TO_SUPPLIER""#, #"acknowledged="false""#]))
                        #expect(counted("transact_notification_callbacks_total", [#"status="DEVICE_ACK""#, #"acknowledged="true""#]))
                    }
                }
        }
    }

    @Test("the http gateway adapter: signed hand-off, signed delivery receipts move the message on; unsigned receipts are refused")
    func httpGateway() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, baseURL in
                let gateway = GatewaySimulatorRoutes(
                    receiptsURL: baseURL + "/notification/1.0/receipts", secret: NotificationHarness.gatewaySecret)
                let router = Router()
                gateway.add(to: router)
                try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                    .test(.live) { gatewayClient in
                        var configuration = h.configuration.notifications
                        let gatewayURL = "http://127.0.0.1:\(try #require(gatewayClient.port))/messages"
                        configuration.gatewayURLs = [.sms: gatewayURL, .whatsApp: gatewayURL]
                        let sms = try await h.send(client, ref: "gw-sms")
                        let whatsApp = try await h.send(client, ref: "gw-wa", channel: 8)
                        let unknownRecipient = try await h.send(client, ref: "gw-029", to: "27831234029")
                        try await h.withWorkers(channels: ChannelDirectory(configuration: configuration)) { () async throws in
                            #expect(try await h.waitForHistory(sms.notificationId) == [2, 4, 5])
                            #expect(try await h.waitForHistory(whatsApp.notificationId) { $0.last == 6 } == [2, 4, 5, 6])
                            #expect(try await h.waitForHistory(unknownRecipient.notificationId) == [2, 4, 29])
                        }
                        let reference = try await h.db.query("""
                            SELECT supplier_reference FROM notifications.messages WHERE notification_id = \(sms.notificationId)::uuid
                            """).single().decode(String.self, "supplier_reference")
                        #expect(reference == "gw-" + sms.notificationId)
                        // A receipt without the gateway's signature changes nothing.
                        let forged = #"{"notificationId": "\#(sms.notificationId)", "supplierReference": "\#(reference)", "statusCode": 23}"#
                        let refused = try await h.request(client, .post, "/notification/1.0/receipts", forged, as: [.contentType: "application/json"])
                        #expect(refused.status == .badRequest && refused.responseMessage == "Header Signature invalid")
                        let signature = RequestSignature.header(
                            signing: Array(forged.utf8), secret: Array(NotificationHarness.gatewaySecret.utf8))
                        let late = try await h.request(
                            client, .post, "/notification/1.0/receipts", forged,
                            as: [.contentType: "application/json", .init("Signature")!: signature])
                        #expect(late.status == .ok && late.object["result"] as? String == "ignored")
                        #expect(try await h.history(sms.notificationId) == [2, 4, 5])
                    }
            }
        }
    }

    @Test("several processes' workers send each message exactly once and charge it once")
    func severalProcesses() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                var ids: [String] = []
                for n in 0..<60 { ids.append(try await h.send(client, ref: "p\(n)", to: "2783\(String(format: "%04d", n))567").notificationId) }
                try await h.withWorkers(processes: 3) { () async throws in
                    for id in ids { #expect(try await h.waitForHistory(id) == [2, 4, 5]) }
                }
                let charges = try await h.db.query("""
                    SELECT count(*) AS n FROM ledger.transfers WHERE description LIKE 'notification %'
                    """).single().decode(Int.self, "n")
                #expect(charges == 60)
                #expect(try await h.invariantViolations().isEmpty)
            }
        }
    }

    @Test("a successful token purchase of a client with autoNotifyTokens sends the token by SMS, once")
    func tokenSMS() async throws {
        try await NotificationHarness.with { h in
            // A purchase of the demo client's electricity product (a meter number as target: the buyer gets the SMS).
            let reference = try await h.db.query("""
                INSERT INTO purchases.transactions (
                    raas_txn_ref, client_id, client_txn_ref, flow, request_fingerprint, state, state_cause, product_id,
                    product_type_id, vendor_id, funding_source_id, channel_id, channel_name, channel_session_id,
                    source_identifier, target_identifier, currency_code, purchase_amount, fee_amount, request_timestamp,
                    reserve_amount, vend_amount, client_share_amount, vendor_share_amount, settlement_amount)
                VALUES (gen_random_uuid(), 200, 'elec-1', 'reserve_and_transact', repeat('a', 64), 'reserved', 'test', 719,
                        17, 200, 3, 3, 'USSD', 's1', '27831110000', '04004444884', 'ZAR', 5000, 200, '2026-11-29T10:00:00Z',
                        5200, 5000, 78, 125, 5122)
                RETURNING raas_txn_ref::text AS ref
                """).single().decode(String.self, "ref")
            try await h.db.query("UPDATE purchases.transactions SET state = 'vending' WHERE raas_txn_ref = \(reference)::uuid")
            try await h.db.query("""
                UPDATE purchases.transactions SET state = 'success', final_at = now(), state_cause = 'vended', token = '12345678901234567890',
                    transact_result_response_code = '0000'
                WHERE raas_txn_ref = \(reference)::uuid
                """)
            let row = try await h.db.query("""
                SELECT notification_id::text AS id, destination_identifier, message, channel_id, transaction_ref, origin
                FROM notifications.messages WHERE client_notification_ref = \("token/" + reference)
                """).single()
            #expect(try row.decode(String.self, "destination_identifier") == "27831110000")
            #expect(try row.decode(String.self, "message").contains("12345678901234567890"))
            #expect(try row.decode(Int.self, "channel_id") == 6 && row.decode(String.self, "origin") == "token_purchase")
            #expect(try row.decode(String.self, "transaction_ref") == reference)
            try await h.withWorkers { () async throws in
                #expect(try await h.waitForHistory(try row.decode(String.self, "id")) == [2, 4, 5])
            }
            // Once the client turns autoNotifyTokens off, its next token purchase sends nothing.
            try await h.db.query("UPDATE catalogue.clients SET auto_notify_tokens = false WHERE client_id = 200")
            try await h.db.query("""
                INSERT INTO purchases.transactions
                SELECT (jsonb_populate_record(t, jsonb_build_object(
                    'raas_txn_ref', gen_random_uuid(), 'client_txn_ref', 'elec-2', 'state', 'reserved', 'token', NULL,
                    'final_at', NULL))).*
                FROM purchases.transactions t WHERE t.raas_txn_ref = \(reference)::uuid
                """)
            try await h.db.query("UPDATE purchases.transactions SET state = 'vending' WHERE client_txn_ref = 'elec-2'")
            try await h.db.query("""
                UPDATE purchases.transactions SET state = 'success', final_at = now(), state_cause = 'vended', token = '99999999999999999999'
                WHERE client_txn_ref = 'elec-2'
                """)
            let count = try await h.db.query("SELECT count(*) AS n FROM notifications.messages").single().decode(Int.self, "n")
            #expect(count == 1)
        }
    }
}
