import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The One API's messaging face (API.md §13, issue 18, point 2 in part): an integration's raw key, messages accepted
/// or refused one by one into the Notifications store, sent by its workers, their status read back.
@Suite("One API: POST /v1/message, GET /v1/message/{apiMessageId}", .serialized)
struct OneAPITests {
    static let key = "demo-integration-key-change-me-0123456789"
    static let headers: HTTPFields = [.authorization: key, .contentType: "application/json"]

    @Test("each message accepted or refused on its own, in the One API's shape; a bad key 401, a malformed body 400; accepted ones go through §7's pipeline and read back with their clientMessageId")
    func sending() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                let sent = try await h.request(client, .post, "/v1/message", """
                    {"messages": [
                      {"channel": "sms", "to": "+27831234567", "content": "Hello by SMS"},
                      {"channel": "whatsapp", "to": "27831234568", "content": "Hello by WhatsApp", "clientMessageId": "order-42"},
                      {"channel": "sms", "to": "0831234567x", "content": "Nowhere"},
                      {"channel": "telex", "to": "27831234567", "content": "No such channel"}
                    ]}
                    """, as: Self.headers)
                #expect(sent.status == .accepted, "\(sent.text)")
                let lines = sent.object["messages"] as? [[String: Any]] ?? []
                #expect(lines.count == 4 && sent.object["error"] is NSNull, "\(sent.text)")
                #expect(lines.map { $0["accepted"] as? Bool } == [true, true, false, false])
                #expect(lines[0]["to"] as? String == "27831234567" && lines[1]["clientMessageId"] as? String == "order-42")
                #expect((lines[2]["error"] as? [String: Any])?["code"] as? Int == 105 && lines[2]["apiMessageId"] is NSNull)
                #expect((lines[3]["error"] as? [String: Any])?["code"] as? Int == 101)
                let ids = lines.prefix(2).compactMap { $0["apiMessageId"] as? String }
                #expect(ids.count == 2)

                let stored = try await h.db.query("""
                    SELECT count(*) AS n FROM notifications.messages
                    WHERE origin = 'one_api' AND integration_id = 1 AND client_notification_ref LIKE 'one-api/%'
                    """).single().decode(Int.self, "n")
                #expect(stored == 2)
                try await h.withWorkers {
                    for id in ids { try await h.waitForHistory(id) }
                }
                let read = try await h.request(client, .get, "/v1/message/\(ids[1])", as: Self.headers)
                #expect(read.status == .ok && read.object["clientMessageId"] as? String == "order-42"
                        && read.object["channel"] as? String == "whatsapp", "\(read.text)")
                #expect(["DEVICE_ACK", "READ"].contains(read.object["status"] as? String ?? ""), "\(read.text)")
                let missing = try await h.request(client, .get, "/v1/message/\(UUID().uuidString)", as: Self.headers)
                #expect(missing.status == .notFound)

                // The key is the whole credential: a wrong one, or a token, is refused before anything is read.
                let wrong = try await h.request(client, .post, "/v1/message", #"{"messages": []}"#,
                                                as: [.authorization: "not-a-key", .contentType: "application/json"])
                #expect(wrong.status == .unauthorized && (wrong.object["error"] as? [String: Any])?["code"] as? Int == 1)
                let token = try await h.request(client, .get, "/v1/message/\(ids[0])", as: h.clientHeaders)
                #expect(token.status == .unauthorized)
                for body in ["not json", #"{"messages": []}"#, #"{"messages": {}}"#,
                             #"{"messages": [\#(Array(repeating: #"{"channel":"sms","to":"27831234567","content":"x"}"#, count: 201).joined(separator: ","))]}"#] {
                    let refused = try await h.request(client, .post, "/v1/message", body, as: Self.headers)
                    #expect(refused.status == .badRequest && (refused.object["error"] as? [String: Any])?["code"] as? Int == 101,
                            "\(body.prefix(40)): \(refused.text)")
                }

                // An integration on SMS only may not send WhatsApp.
                try await h.db.query("UPDATE notifications.integrations SET channels = '{6}' WHERE integration_id = 1")
                try await Task.sleep(for: .milliseconds(2_100))  // the directory keeps an answer for clientCacheTTLMs
                let whatsApp = try await h.request(client, .post, "/v1/message",
                                                   #"{"messages": [{"channel": "whatsapp", "to": "27831234567", "content": "Hi"}]}"#,
                                                   as: Self.headers)
                let refusedLine = (whatsApp.object["messages"] as? [[String: Any]])?.first
                #expect(refusedLine?["accepted"] as? Bool == false && (refusedLine?["error"] as? [String: Any])?["code"] as? Int == 114,
                        "\(whatsApp.text)")
                #expect(try await h.invariantViolations().isEmpty)
            }
        }
    }

    @Test("the Platform API: POST /messages to several numbers, GET /messages/http/send with its apiKey parameter; a request the messaging credit cannot pay is 402 and stores nothing")
    func platformAndCredit() async throws {
        try await NotificationHarness.with { h in
            try await h.serve { client, _ in
                let posted = try await h.request(client, .post, "/messages",
                                                 #"{"to": ["27831234567", "27831234569"], "content": "Platform hello"}"#, as: Self.headers)
                let lines = posted.object["messages"] as? [[String: Any]] ?? []
                #expect(posted.status == .accepted && lines.count == 2 && lines.allSatisfy { $0["accepted"] as? Bool == true }, "\(posted.text)")
                let query = "/messages/http/send?apiKey=\(Self.key)&to=27831234567&content=Hi%20there"
                let viaHTTP = try await h.request(client, .get, query, as: [:])
                #expect(viaHTTP.status == .accepted && (viaHTTP.object["messages"] as? [[String: Any]])?.first?["accepted"] as? Bool == true,
                        "\(viaHTTP.text)")
                let noKey = try await h.request(client, .get, "/messages/http/send?to=27831234567&content=Hi", as: Self.headers)
                #expect(noKey.status == .unauthorized, "the HTTP API takes its key in its query only")
                let noContent = try await h.request(client, .get, "/messages/http/send?apiKey=\(Self.key)&to=27831234567", as: [:])
                #expect(noContent.status == .badRequest, "\(noContent.text)")
                let keyElsewhere = try await h.request(client, .get, "/v1/message/\(UUID().uuidString)?apiKey=\(Self.key)", as: [:])
                #expect(keyElsewhere.status == .unauthorized, "only the Platform's HTTP API takes the key as a parameter")
                let stored = try await h.db.query("SELECT count(*) AS n FROM notifications.messages WHERE origin = 'one_api'")
                    .single().decode(Int.self, "n")
                #expect(stored == 3)

                // More than the credit can pay: refused whole.
                try await h.db.query(#"UPDATE catalogue.clients SET message_prices = '{"6": 999999999999}' WHERE client_id = 200"#)
                let unpaid = try await h.request(client, .post, "/v1/message",
                                                 #"{"messages": [{"channel": "sms", "to": "27831234567", "content": "Too dear"}]}"#,
                                                 as: Self.headers)
                #expect(unpaid.status.code == 402 && (unpaid.object["error"] as? [String: Any])?["code"] as? Int == 301, "\(unpaid.text)")
                let after = try await h.db.query("SELECT count(*) AS n FROM notifications.messages WHERE origin = 'one_api'")
                    .single().decode(Int.self, "n")
                #expect(after == 3, "nothing was stored")
            }
        }
    }
}
