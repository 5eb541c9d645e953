import Foundation
import Testing
import TransactCore

@Suite("Purchase request format (API.md §3.1, §3.2)")
struct PurchaseRequestTests {
    nonisolated(unsafe) static let valid: [String: Any] = [
        "clientId": 200, "clientTxnRef": "seo8w3-3wsf8cffdd34-f58l", "channelId": 7, "channelName": "USSD",
        "channelSessionId": "abc123", "productId": 110, "purchaseAmount": 10_000, "feeAmount": 0, "currencyCode": "ZAR",
        "fundingSourceId": 3, "sourceIdentifier": "27831234567", "targetIdentifier": "27831234567",
        "timestamp": "2016-06-29T16:39:42.735Z",
    ]

    func decode(_ fields: [String: Any], flow: PurchaseRequest.Flow = .reserveAndTransact) throws(FormatError) -> PurchaseRequest {
        let data = try! JSONSerialization.data(withJSONObject: fields)
        return try PurchaseRequest(body: JSONRequestBody(bytes: Array(data)), flow: flow)
    }

    func decode(raw: String) throws(FormatError) -> PurchaseRequest {
        try PurchaseRequest(body: JSONRequestBody(bytes: Array(raw.utf8)), flow: .reserveAndTransact)
    }

    @Test("a valid request decodes; integers may be digit strings; amount is an alias of purchaseAmount")
    func valid() throws {
        let request = try decode(Self.valid)
        #expect(request.clientId == 200 && request.purchaseAmount == 10_000 && request.feeAmount == 0)
        var strings = Self.valid
        strings["channelId"] = "2"
        strings["clientId"] = "200"
        strings["purchaseAmount"] = nil
        strings["amount"] = "10000"
        let fromStrings = try decode(strings)
        #expect(fromStrings.channelId == 2 && fromStrings.clientId == 200 && fromStrings.purchaseAmount == 10_000)
        #expect(fromStrings.canonicalForm != request.canonicalForm)  // channelId differs
        var same = Self.valid
        same["authCode"] = "1234"
        #expect(try decode(same).canonicalForm == request.canonicalForm)  // the auth code is not part of the content
        var transact = Self.valid
        transact["reserveFundsTxnRef"] = "bank-ref-1"
        #expect(try decode(transact, flow: .transact).reserveFundsTxnRef == "bank-ref-1")
        for timestamp in ["2016-06-29T16:39:42Z", "2016-06-29T18:39:42+02:00", "2016-06-29T18:39:42.1+0200"] {
            var fields = Self.valid
            fields["timestamp"] = timestamp
            #expect((try? decode(fields)) != nil, "\(timestamp)")
        }
    }

    @Test("each rule broken gives 4000 with the field and its constraint", arguments: [
        ("clientId", nil, "clientId :must not be null"),
        ("clientId", 123_456, "clientId :must be a whole number of at most 5 digits"),
        ("clientId", "2x0", "clientId :must be a whole number of at most 5 digits"),
        ("clientTxnRef", "", "clientTxnRef :size must be between 1 and 64"),
        ("clientTxnRef", String(repeating: "r", count: 65), "clientTxnRef :size must be between 1 and 64"),
        ("channelId", 0, "channelId :must be between 1 and 99"),
        ("channelId", true, "channelId :must be a whole number of at most 2 digits"),
        ("channelSessionId", "abc-123", "channelSessionId :must be alphanumeric"),
        ("purchaseAmount", 0, "purchaseAmount :must be greater than 0"),
        ("purchaseAmount", -5, "purchaseAmount :must be a whole number of at most 12 digits"),
        ("purchaseAmount", 10.5, "purchaseAmount :must be a whole number of at most 12 digits"),
        ("purchaseAmount", 1_000_000_000_000, "purchaseAmount :must be a whole number of at most 12 digits"),
        ("purchaseAmount", "1e3", "purchaseAmount :must be a whole number of at most 12 digits"),
        ("feeAmount", "-1", "feeAmount :must be a whole number of at most 12 digits"),
        ("currencyCode", "zar", "currencyCode :must be an ISO 4217 code of 3 capital letters"),
        ("currencyCode", "ZARR", "currencyCode :size must be between 3 and 3"),
        ("sourceIdentifier", "27 83", "sourceIdentifier :must be alphanumeric"),
        ("targetIdentifier", String(repeating: "1", count: 33), "targetIdentifier :size must be between 1 and 32"),
        ("targetIdentifier", 27_831_234_567, "targetIdentifier :must be a string"),
        ("accountIdentifier", String(repeating: "a", count: 65), "accountIdentifier :size must be between 1 and 64"),
        ("timestamp", "2016-06-29 16:39:42", "timestamp :must be an ISO 8601 date and time with a time zone"),
        ("timestamp", "2016-13-29T16:39:42Z", "timestamp :must be an ISO 8601 date and time with a time zone"),
        ("timestamp", "2016-06-29T16:39:42", "timestamp :must be an ISO 8601 date and time with a time zone"),
        ("channelName", "a\u{0}b", "channelName :must not contain NUL"),
        ("reserveFundsTxnRef", "ref", "reserveFundsTxnRef :Reserve Funds transaction Reference was not expected"),
    ] as [(String, (any Sendable)?, String)])
    func refusals(field: String, value: (any Sendable)?, message: String) {
        var fields = Self.valid
        fields[field] = value
        do {
            _ = try decode(fields)
            Issue.record("accepted \(field) = \(String(describing: value))")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("Transact requires reserveFundsTxnRef; amount and purchaseAmount must agree; malformed bodies are refused")
    func otherRefusals() {
        #expect(throws: FormatError("reserveFundsTxnRef", "Reserve Funds transaction Reference is mandatory")) {
            try decode(Self.valid, flow: .transact)
        }
        var both = Self.valid
        both["amount"] = 9_999
        #expect(throws: FormatError("purchaseAmount", "must equal amount when both are given")) { try decode(both) }
        let deep = String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)
        for raw in ["", "[]", "{", "{\"clientId\":200,}", "\u{FEFF}nonsense", "{\"a\":01}", "{\"a\":\"tab\there\"}",
                    "{\"a\":1} {}", "{'a':1}", "{\"a\":NaN}", deep] {
            #expect(throws: FormatError("body", "must be a JSON object")) { try decode(raw: raw) }
        }
        // Invalid UTF-8.
        #expect(throws: FormatError("body", "must be a JSON object")) {
            try PurchaseRequest(body: JSONRequestBody(bytes: [0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), flow: .reserveAndTransact)
        }
    }
}
