import Foundation
import HummingbirdTesting
import Notifications
import Testing

@Suite("Notifications API (API.md §7)", .serialized)
struct NotificationAPITests {
    @Test("an SMS is queued (202) and goes QUEUED → SENT_TO_SUPPLIER → DEVICE_ACK; WhatsApp is also READ; GET shows it all")
    func lifecycle() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                let sms = try await h.send(client, ref: "sms-1")
                #expect(sms.status == .accepted)
                #expect(sms.object["status"] as? String == "QUEUED" && sms.statusCode == 2)
                #expect(sms.object["clientNotificationRef"] as? String == "sms-1")
                let whatsApp = try await h.send(client, ref: "wa-1", channel: 8)
                try await h.withWorkers { () async throws in
                    #expect(try await h.waitForHistory(sms.notificationId) == [2, 4, 5])
                    #expect(try await h.waitForHistory(whatsApp.notificationId) { $0.last == 6 } == [2, 4, 5, 6])
                }
                let shown = try await h.request(client, .get, "/notification/1.0/\(sms.notificationId)")
                #expect(shown.status == .ok)
                #expect(shown.object["status"] as? String == "DEVICE_ACK" && shown.statusCode == 5)
                #expect(shown.object["description"] as? String == "Delivered to the device")
                let history = try #require(shown.object["history"] as? [[String: Any]])
                #expect(history.compactMap { $0["status"] as? String } == ["QUEUED", "SENT_TO_SUPPLIER", "DEVICE_ACK"])
                #expect(history.allSatisfy { ($0["timestamp"] as? String)?.hasSuffix("Z") == true })
                let byReference = try await h.request(client, .get, "/notification/1.0?clientNotificationRef=wa-1")
                #expect(byReference.status == .ok && byReference.object["status"] as? String == "READ")
                #expect(byReference.notificationId == whatsApp.notificationId)
                // Support reads any client's message; by reference it names the client.
                let asSupport = try await h.request(
                    client, .get, "/notification/1.0?clientNotificationRef=wa-1&clientId=200", as: h.supportHeaders)
                #expect(asSupport.status == .ok && asSupport.notificationId == whatsApp.notificationId)
                #expect(try await h.invariantViolations().isEmpty)
            }
        }
    }

    @Test("the simulated channel reaches every status of the table a supplier can report, chosen by the last three digits")
    func everySupplierStatus() async throws {
        try await NotificationHarness.with { h in
            try await h.db.query("UPDATE catalogue.clients SET notification_daily_limit = NULL, notification_monthly_limit = NULL WHERE client_id = 200")
            try await h.serve { client, _ in
                let outcomes = MessageStatus.all.filter { $0.isReportedBySupplier && ![4, 5, 6].contains($0.code) }
                var sent: [(MessageStatus, String)] = []
                for status in outcomes {
                    let digits = String(repeating: "0", count: 3 - String(status.code).count) + String(status.code)
                    let answer = try await h.send(client, ref: "code-\(status.code)", to: "27831234" + digits, channel: 8)
                    #expect(answer.status == .accepted)
                    sent.append((status, answer.notificationId))
                }
                try await h.withWorkers { () async throws in
                    for (status, id) in sent {
                        #expect(try await h.waitForHistory(id) == [2, 4, status.code], "\(status)")
                    }
                }
                let shown = try await h.request(client, .get, "/notification/1.0/\(sent[0].1)")
                #expect(shown.statusCode == sent[0].0.code && shown.object["status"] as? String == sent[0].0.name)
            }
        }
    }

    @Test("a repeated clientNotificationRef returns the original; bad input is 400 with API.md's messages; nothing is stored")
    func validation() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                let first = try await h.send(client, ref: "same")
                let again = try await h.send(client, ref: "same", to: "27821111111")
                #expect(again.status == .accepted && again.notificationId == first.notificationId)
                for ref in ["", "has space", String(repeating: "x", count: 65), "token/x"] {
                    let refused = try await h.send(client, ref: ref)
                    #expect(refused.status == .badRequest, "\(ref)")
                    #expect(refused.responseMessage == "invalid value for field clientNotificationRef", "\(ref)")
                }
                let noRef = try await h.request(client, .post, "/notification/1.0", """
                    {"clientId": 200, "channelId": 6, "destinationIdentifier": "27831234567", "message": "Hi"}
                    """)
                #expect(noRef.responseMessage == "invalid value for field clientNotificationRef")
                // A channel the client does not have (the demo client has 6 and 8).
                try await h.db.query("UPDATE catalogue.clients SET notification_channels = '{6}' WHERE client_id = 200")
                let whatsApp = try await h.send(client, ref: "wa", channel: 8)
                #expect(whatsApp.status == .badRequest && whatsApp.responseMessage == "Channel not configured for client")
                let unknownChannel = try await h.send(client, ref: "c7", channel: 7)
                #expect(unknownChannel.responseMessage == "Channel not configured for client")
                let cases: [(String, String)] = [
                    (#", "scheduledAt": "tomorrow""#, "Transaction request not valid"),
                    (#", "scheduledAt": "2026-01-01T10:00:00Z", "validUntil": "2026-01-01T09:00:00Z""#,
                     "validUntil :must be after scheduledAt"),
                    (#", "scheduledAt": "2099-01-01T10:00:00Z""#, "scheduledAt :must be at most 30 days ahead"),
                ]
                for (extra, message) in cases {
                    let refused = try await h.send(client, ref: "bad", extra: extra)
                    #expect(refused.status == .badRequest && refused.responseMessage == message, "\(refused.text)")
                }
                for text in ["", String(repeating: "a", count: 1_601)] {
                    let refused = try await h.request(client, .post, "/notification/1.0", """
                        {"clientId": 200, "channelId": 6, "destinationIdentifier": "27831234567", "message": "\(text)",
                         "clientNotificationRef": "m"}
                        """)
                    #expect(refused.responseMessage == "message :size must be between 1 and 1600")
                }
                let badNumber = try await h.send(client, ref: "n", to: "+2783123")
                #expect(badNumber.status == .badRequest)
                let otherClient = try await h.request(client, .post, "/notification/1.0", """
                    {"clientId": 201, "channelId": 6, "destinationIdentifier": "27831234567", "message": "Hi", "clientNotificationRef": "x"}
                    """)
                #expect(otherClient.status == .forbidden)
                let stored = try await h.db.query("SELECT count(*) AS n FROM notifications.messages").single().decode(Int.self, "n")
                #expect(stored == 1)
                // Lookups: unknown, malformed and another client's are all 404 UNKNOWN.
                let unknown = try await h.request(client, .get, "/notification/1.0/\(UUID().uuidString)")
                #expect(unknown.status == .notFound && unknown.statusCode == 1 && unknown.object["status"] as? String == "UNKNOWN")
                #expect(try await h.request(client, .get, "/notification/1.0/nope").status == .notFound)
                try await h.db.query("UPDATE notifications.messages SET client_id = 201")
                #expect(try await h.request(client, .get, "/notification/1.0/\(first.notificationId)").status == .notFound)
                #expect(try await h.request(client, .delete, "/notification/1.0/\(first.notificationId)").status == .notFound)
            }
        }
    }

    @Test("a scheduled message is SCHEDULED until its time; DELETE stops one not yet sent (21 client, 22 support), not one sent")
    func scheduleAndStop() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                // Far enough ahead that the sends and the workers' start, under the whole suite's load, come before it
                // (at 1.5 s the message was once already sent when the check below ran).
                let soonDate = Date().addingTimeInterval(4)
                let soon = ISO8601DateFormatter().string(from: soonDate)
                let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3_600))
                let scheduled = try await h.send(client, ref: "soon", extra: #", "scheduledAt": "\#(soon)""#)
                #expect(scheduled.status == .accepted && scheduled.object["status"] as? String == "SCHEDULED" && scheduled.statusCode == 3)
                let byClient = try await h.send(client, ref: "stop-me", extra: #", "scheduledAt": "\#(later)""#)
                let bySupport = try await h.send(client, ref: "stop-me-too", extra: #", "scheduledAt": "\#(later)""#)
                try await h.withWorkers { () async throws in
                    try await Task.sleep(for: .milliseconds(500))
                    let history = try await h.history(scheduled.notificationId)
                    #expect(Date() < soonDate, "the check came after the scheduled time: the test ran too slowly to show it")
                    #expect(history == [3])
                    #expect(try await h.waitForHistory(scheduled.notificationId) == [3, 4, 5])
                }
                let stopped = try await h.request(client, .delete, "/notification/1.0/\(byClient.notificationId)")
                #expect(stopped.status == .ok && stopped.object["status"] as? String == "STOPPED_BY_USER" && stopped.statusCode == 21)
                let stoppedBySupport = try await h.request(
                    client, .delete, "/notification/1.0/\(bySupport.notificationId)", as: h.supportHeaders)
                #expect(stoppedBySupport.status == .ok && stoppedBySupport.statusCode == 22)
                #expect(try await h.history(bySupport.notificationId) == [3, 22])
                let tooLate = try await h.request(client, .delete, "/notification/1.0/\(scheduled.notificationId)")
                #expect(tooLate.status == .conflict && tooLate.statusCode == 5)
                let again = try await h.request(client, .delete, "/notification/1.0/\(byClient.notificationId)")
                #expect(again.status == .conflict && again.statusCode == 21)
                // A stopped message is never sent, however long the workers run.
                try await h.withWorkers { try await Task.sleep(for: .milliseconds(300)) }
                #expect(try await h.history(byClient.notificationId) == [3, 21])
                #expect(try await h.invariantViolations().isEmpty)
            }
        }
    }
}
