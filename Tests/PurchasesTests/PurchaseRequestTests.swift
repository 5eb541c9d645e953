import Foundation
import Testing
import Purchases
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

    @Test("each rule broken gives 4000 in Clickatell's words (API.md §0.2)", arguments: [
        ("clientId", nil, "clientId :may not be null"),
        ("clientId", "", "clientId :may not be null"),
        ("clientId", 123_456, "clientId :must be less than or equal to 99999"),
        ("clientId", "2x0", "Transaction request not valid"),
        ("clientTxnRef", "", "clientTxnRef :size must be between 1 and 64"),
        ("clientTxnRef", String(repeating: "r", count: 65), "clientTxnRef :size must be between 1 and 64"),
        ("channelId", 0, "channelId :must be greater than 0"),
        ("channelId", 100, "channelId :must be less than or equal to 99"),
        ("channelId", "100", "channelId :must be less than or equal to 99"),
        ("channelId", true, "Transaction request not valid"),
        ("channelId", 2.5, "Transaction request not valid"),
        ("channelSessionId", "abc-123", "channelSessionId : must be an alphanumeric"),
        ("purchaseAmount", 0, "amount :must be greater than 0"),
        ("purchaseAmount", -5, "amount :must be greater than 0"),
        ("purchaseAmount", "-5", "amount :must be greater than 0"),
        ("purchaseAmount", 10.5, "Transaction request not valid"),
        ("purchaseAmount", 1_000_000_000_000, "amount :must be less than or equal to 999999999999"),
        ("purchaseAmount", "99999999999999999999999", "amount :must be less than or equal to 999999999999"),
        ("purchaseAmount", "1e3", "Transaction request not valid"),
        ("purchaseAmount", "", "purchaseAmount :may not be null"),
        ("feeAmount", "-1", "amount :must be greater than or equal to 0"),
        ("feeAmount", 1_000_000_000_000, "amount :must be less than or equal to 999999999999"),
        ("currencyCode", nil, "Currency Code is mandatory"),
        ("currencyCode", "", "Currency Code is mandatory"),
        ("currencyCode", "zar", "Currency Code is invalid"),
        ("currencyCode", "ZARR", "Currency Code is invalid"),
        ("currencyCode", 710, "Transaction request not valid"),
        ("fundingSourceId", nil, "Funding Source ID is mandatory"),
        ("fundingSourceId", "", "Funding Source ID is mandatory"),
        ("fundingSourceId", "3a", "Transaction request not valid"),
        ("sourceIdentifier", "27 83", "sourceIdentifier : must be an alphanumeric"),
        ("targetIdentifier", String(repeating: "1", count: 33), "targetIdentifier :size must be between 1 and 32"),
        ("targetIdentifier", 27_831_234_567, "Transaction request not valid"),
        ("accountIdentifier", String(repeating: "a", count: 65), "accountIdentifier :size must be between 1 and 64"),
        ("timestamp", nil, "timestamp :may not be null"),
        ("timestamp", "", "timestamp :may not be null"),
        ("timestamp", "2016-06-29 16:39:42", "Transaction request not valid"),
        ("timestamp", "2016-13-29T16:39:42Z", "Transaction request not valid"),
        ("timestamp", "2016-06-29T16:39:42", "Transaction request not valid"),
        ("channelName", "a\u{0}b", "channelName :must not contain NUL"),
        ("reserveFundsTxnRef", "ref", "Reserve Funds transaction Reference was not expected"),
    ] as [(String, (any Sendable)?, String)])
    func refusals(field: String, value: (any Sendable)?, message: String) {
        var fields = Self.valid
        fields[field] = value
        do {
            _ = try decode(fields)
            Issue.record("accepted \(field) = \(String(describing: value))")
        } catch {
            #expect(error.message == message, "\(field) = \(String(describing: value))")
        }
    }

    @Test("an empty or blank accountIdentifier counts as absent")
    func blankAccountIdentifier() throws {
        for blank in ["", "   "] {
            var fields = Self.valid
            fields["accountIdentifier"] = blank
            #expect(try decode(fields).accountIdentifier == nil)
        }
    }

    @Test("the older versions (API.md §3.2a): their field sets, values as strings, and what stands in for the fields they lack")
    func olderVersions() throws {
        // Version 2's Reserve and Transact, as such a client sends it: amount, no fee, funding source or currency.
        let v2: [String: Any] = [
            "clientId": "200", "clientTxnRef": "v2-1", "channelId": "7", "channelName": "USSD", "channelSessionId": "abc123",
            "productId": "110", "amount": "10000", "sourceIdentifier": "27831234567", "targetIdentifier": "27831234567",
            "timestamp": "2016-06-29T16:39:42.735Z",
        ]
        let data = try JSONSerialization.data(withJSONObject: v2)
        let request = try PurchaseRequest(body: JSONRequestBody(bytes: Array(data)), flow: .reserveAndTransact, version: .v2)
        #expect(request.purchaseAmount == 10_000 && request.feeAmount == nil && request.currencyCode == nil && request.fundingSourceId == nil)
        #expect(request.version == .v2 && request.canonicalForm.hasSuffix("version=2"))
        // The same body is refused by v4, which names the funding source and the currency.
        #expect(throws: PurchaseRequest.currencyMandatory) {
            try PurchaseRequest(body: JSONRequestBody(bytes: Array(data)), flow: .reserveAndTransact, version: .v4)
        }
        var missing = v2
        missing["amount"] = nil
        #expect(throws: FormatError.missing("amount")) {
            try PurchaseRequest(
                body: JSONRequestBody(bytes: Array(try JSONSerialization.data(withJSONObject: missing))), flow: .transact, version: .v3)
        }
        #expect(PurchaseVersion.v2.acceptedMessage(.reserveAndTransact) == "Processing request")
        #expect(PurchaseVersion.v3.acceptedMessage(.reserveAndTransact) == "Processing request (funds reserved)")
        #expect(PurchaseVersion.v4.acceptedMessage(.transact) == "Processing request")
        #expect(PurchaseVersion.v2.feeFromTerms && !PurchaseVersion.v3.feeFromTerms)
        // v4's canonical form is the one it always had: purchases stored before the older versions still match.
        #expect(!(try decode(Self.valid)).canonicalForm.contains("version"))
    }

    @Test("Transact requires reserveFundsTxnRef; amount and purchaseAmount must agree; malformed bodies are refused")
    func otherRefusals() {
        #expect(throws: PurchaseRequest.reserveFundsTxnRefMandatory) { try decode(Self.valid, flow: .transact) }
        var blank = Self.valid
        blank["reserveFundsTxnRef"] = " "
        #expect(throws: PurchaseRequest.reserveFundsTxnRefMandatory) { try decode(blank, flow: .transact) }
        var both = Self.valid
        both["amount"] = 9_999
        #expect(throws: FormatError("purchaseAmount", "must equal amount when both are given")) { try decode(both) }
        let deep = String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)
        for raw in ["", "[]", "{", "{\"clientId\":200,}", "\u{FEFF}nonsense", "{\"a\":01}", "{\"a\":\"tab\there\"}",
                    "{\"a\":1} {}", "{'a':1}", "{\"a\":NaN}", deep] {
            #expect(throws: FormatError.unreadable("body")) { try decode(raw: raw) }
        }
        // Invalid UTF-8.
        #expect(throws: FormatError.unreadable("body")) {
            try PurchaseRequest(body: JSONRequestBody(bytes: [0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), flow: .reserveAndTransact)
        }
    }
}
