import AsyncHTTPClient
import Chat2Pay
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// Chat 2 Pay (API.md §12, issue 17) against a real PostgreSQL, the bank simulated over loopback HTTP: requests
/// made, their links sent and opened, paid on the page, captured, reversed, declined, expired and cancelled, and
/// every status change pushed to the merchant.
@Suite("Chat 2 Pay", .serialized)
struct Chat2PayTests {
    /// The demo client's request, with `overrides`.
    static func body(_ overrides: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "clientId": 200, "channel": "sms", "to": "27831234567", "currency": "ZAR",
            "orderNumber": "order-\(UUID().uuidString.prefix(8))", "subTotalAmount": 870, "taxAmount": 130,
            "totalAmount": 1_000, "timestamp": "2026-12-04T10:00:00.000Z", "returnPaymentLink": true,
        ]
        for (key, value) in overrides { body[key] = value }
        return body
    }

    /// A page of the service, and the cookies it set.
    struct Page {
        let status: Int
        let html: String
        let cookies: [String]
        var csrf: String? {
            guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    static func page(_ h: PurchaseHarness, _ path: String, form: [String: String]? = nil, cookie: String? = nil) async throws -> Page {
        var request = HTTPClientRequest(url: h.service + path)
        if let form {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let text = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: text))
        }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await h.http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.headers["Content-Security-Policy"].first?.contains("default-src 'none'") == true, "every page carries the CSP")
        return Page(
            status: Int(response.status.code), html: String(buffer: body),
            cookies: response.headers["Set-Cookie"].map { String($0.prefix { $0 != ";" }) })
    }

    /// The page path of a request's link.
    static func pagePath(_ created: PurchaseHarness.Reply) throws -> String {
        let link = try #require(created.json["paymentLink"])
        let path = try #require(link.range(of: "/pay/")).lowerBound
        return String(link[path...])
    }

    /// Opens the link and submits the form with this account identifier; the page answered.
    static func pay(_ h: PurchaseHarness, _ path: String, account: String = "1234567890", authCode: String = "1234") async throws -> Page {
        let opened = try await page(h, path)
        #expect(opened.status == 200, "\(opened.html.prefix(500))")
        let csrf = try #require(opened.csrf)
        let cookie = try #require(opened.cookies.first { $0.hasPrefix("transact_pay=") })
        return try await page(h, path, form: ["csrf": csrf, "accountIdentifier": account, "authCode": authCode], cookie: cookie)
    }

    static func status(_ h: PurchaseHarness, _ reference: String) async throws -> String {
        try await h.db.query("""
            SELECT chat2pay.status_name(status_id) AS s FROM chat2pay.requests WHERE payment_link_ref = \(reference)::uuid
            """).single().decode(String.self, "s")
    }

    static func violations(_ h: PurchaseHarness) async throws -> [String] {
        try await h.ledgerViolations() + h.db.query("SELECT chat2pay.invariant_violations() AS p").map { try $0.decode(String.self, "p") }
    }

    static func waitForBankResult(_ h: PurchaseHarness, _ reference: String) async throws -> [String: Any] {
        for _ in 0..<200 where h.bank.resultBodies(reference).isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        return PurchaseHarness.fields(try #require(h.bank.resultBodies(reference).first, "the bank was told"))
    }

    @Test("the statuses Swift names are the database's, id for id")
    func statusesAgree() async throws {
        try await TestDatabase.with { db, _ in
            let stored = try await db.query("SELECT status_id, name FROM chat2pay.statuses ORDER BY status_id").map {
                "\(try $0.decode(Int.self, "status_id")) \(try $0.decode(String.self, "name"))"
            }
            #expect(stored == PaymentRequestStatus.allCases.map { "\($0.rawValue) \($0.name)" })
        }
    }

    @Test("a request is stored once: its link goes out as a message, a repeat answers the original, another body under its order number is 409, a format error stores nothing")
    func creation() async throws {
        try await PurchaseHarness.with { h in
            let body = Self.body()
            let created = try await h.post("/api/v2/chat-2-pay", body)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["transactionStatus"] == "PAYMENT_LINK_SENT" && created.json["transactionStatusId"] == "2")
            #expect(created.json["paymentLinkTTL"] == "300" && created.json["paymentPageTTL"] == "900")
            let reference = try #require(created.json["paymentLinkRef"])
            let link = try #require(created.json["paymentLink"])
            // The message carries the link; the database keeps only the token's hash.
            let message = try await h.db.query("""
                SELECT message FROM notifications.messages WHERE transaction_ref = \(reference) AND origin = 'chat_2_pay'
                """).single().decode(String.self, "message")
            #expect(message.contains(link) && message.contains("Demo Store") && message.contains("ZAR 10.00"), "\(message)")
            let token = String(link.split(separator: "/").last ?? "")
            let stored = try await h.db.query("SELECT count(*) AS n FROM chat2pay.requests WHERE token_hash = \(token)")
                .single().decode(Int.self, "n")
            #expect(stored == 0, "the token itself is not stored")

            let repeated = try await h.post("/api/v2/chat-2-pay", body.merging(["timestamp": "2026-12-04T10:00:05.000Z"]) { $1 })
            #expect(repeated.status == 201 && repeated.json["paymentLinkRef"] == reference && repeated.json["paymentLink"] == link)
            let different = try await h.post("/api/v2/chat-2-pay", body.merging(["totalAmount": 2_000, "subTotalAmount": 1_870]) { $1 })
            #expect(different.status == 409 && different.code == "2604", "\(different.text)")

            for (overrides, message) in [
                (["totalAmount": 999] as [String: Any], "Total amount is not equal to the sum of tax and subtotal"),
                (["channel": "fax"], "channel :must be one of sms, whatsapp, none"),
                (["to": NSNull()], "to :may not be null"),
                (["currency": "zar"], "currency :must be an ISO 4217 code"),
                (["returnPaymentLink": "yes"], "returnPaymentLink :must be true or false"),
                (["productId": 110], "targetIdentifier :must be given with productId"),
            ] {
                let refused = try await h.post("/api/v2/chat-2-pay", Self.body(overrides))
                #expect(refused.status == 400 && refused.code == "4000" && refused.json["responseMessage"] == message,
                        "\(overrides): \(refused.text)")
            }
            let otherClients = try await h.post("/api/v2/chat-2-pay", Self.body(["clientId": 201]))
            #expect(otherClients.status == 403, "\(otherClients.text)")
            let count = try await h.db.query("SELECT count(*) AS n FROM chat2pay.requests").single().decode(Int.self, "n")
            #expect(count == 1, "nothing else was stored")

            // The merchant sees it with its history; another reference is not found.
            let found = try await h.get("/api/v2/chat-2-pay/\(reference)")
            #expect(found.status == 200 && found.json["orderNumber"] == body["orderNumber"] as? String, "\(found.text)")
            let missing = try await h.get("/api/v2/chat-2-pay/\(UUID().uuidString)")
            #expect(missing.status == 404 && missing.json["responseMessage"]?.hasPrefix("There is no such transaction") == true)
            #expect(try await Self.violations(h).isEmpty)
        }
    }

    @Test("a sale paid on the page: opened (CLICKED), reserved once, captured at once, the bank told to debit it; a double submission charges once; its receipt sent once; cancel after payment is refused")
    func salePaidOnThePage() async throws {
        try await PurchaseHarness.with { h in
            let body = Self.body()
            let created = try await h.post("/api/v2/chat-2-pay", body)
            let reference = try #require(created.json["paymentLinkRef"])
            let path = try Self.pagePath(created)

            let opened = try await Self.page(h, path)
            #expect(opened.status == 200 && opened.html.contains("Demo Store") && opened.html.contains("ZAR 10.00"))
            #expect(try await Self.status(h, reference) == "PAYMENT_LINK_CLICKED")
            // Without the form's cookie the submission is refused and nothing is reserved.
            let forged = try await Self.page(h, path, form: ["csrf": try #require(opened.csrf), "accountIdentifier": "1234567890"])
            #expect(forged.status == 403 && h.bank.reserveCount(reference) == 0)

            // The same page submitted twice at once (a double tap): one reservation, one capture.
            let csrf = try #require(opened.csrf)
            let cookie = try #require(opened.cookies.first { $0.hasPrefix("transact_pay=") })
            let form = ["csrf": csrf, "accountIdentifier": "1234567890", "authCode": "1234"]
            async let first = Self.page(h, path, form: form, cookie: cookie)
            async let second = Self.page(h, path, form: form, cookie: cookie)
            let pages = try await [first, second]
            #expect(pages.allSatisfy { $0.status == 200 } && pages.contains { $0.html.contains("Paid") }, "\(pages.map { $0.html.suffix(300) })")
            #expect(try await Self.status(h, reference) == "CAPTURED")
            #expect(h.bank.reserveCount(reference) == 1)
            let result = try await Self.waitForBankResult(h, reference)
            #expect(result["responseCode"] as? String == "0000" && result["transactionStatus"] as? String == "SUCCESS")
            #expect(result["settlementAmount"] as? Int == 1_000 && result["clientTxnRef"] as? String == body["orderNumber"] as? String)

            let again = try await Self.page(h, path, form: form, cookie: cookie)
            #expect(again.html.contains("Paid") && h.bank.reserveCount(reference) == 1, "a later submission charges nothing")

            // The receipt: sent once on the request's channel; its page shows what was paid.
            let receipt = try await h.post("/api/v2/order-receipt", ["clientId": 200, "paymentLinkRef": reference])
            #expect(receipt.status == 201 && receipt.json["transactionStatus"] == "RECEIPT_LINK_SENT"
                    && receipt.json["orderNumber"] == body["orderNumber"] as? String, "\(receipt.text)")
            let repeated = try await h.post("/api/v2/order-receipt", ["clientId": 200, "paymentLinkRef": reference])
            #expect(repeated.status == 201 && repeated.json["receiptLinkRef"] == receipt.json["receiptLinkRef"])
            let receiptMessage = try await h.db.query("""
                SELECT message FROM notifications.messages WHERE client_notification_ref = \("chat-2-pay-receipt/" + reference)
                """).single().decode(String.self, "message")
            let receiptPath = String(receiptMessage[try #require(receiptMessage.range(of: "/receipt/")).lowerBound...])
            let receiptPage = try await Self.page(h, receiptPath)
            #expect(receiptPage.status == 200 && receiptPage.html.contains("Paid ZAR 10.00 to Demo Store on "), "\(receiptPage.html.suffix(400))")
            let cancel = try await h.post("/api/v2/cancel/\(reference)", [:])
            #expect(cancel.status == 409, "\(cancel.text)")

            let history = try await h.db.query("""
                SELECT string_agg(chat2pay.status_name(status_id), ' ' ORDER BY sequence) AS h FROM chat2pay.status_changes
                WHERE payment_link_ref = \(reference)::uuid
                """).single().decode(String.self, "h")
            #expect(history == "PAYMENT_LINK_SENT PAYMENT_LINK_CLICKED AUTHORIZED CAPTURED RECEIPT_LINK_SENT")
            // The customer's credentials are nowhere in the database.
            let leaked = try await h.db.query("""
                SELECT count(*) AS n FROM chat2pay.requests r WHERE r::text LIKE '%1234567890%'
                """).single().decode(Int.self, "n")
            #expect(leaked == 0)
            for _ in 0..<100 where (try? await Self.violations(h).isEmpty) != true { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await Self.violations(h).isEmpty)
        }
    }

    @Test("an authorisation captured in part posts what was captured and releases the rest; one reversed is voided; one not captured in time is reversed; a decline holds nothing; a bank that never answers, answers what was not asked, or whose answer is lost with its process ends DECLINED 2060 with the bank told")
    func authorisations() async throws {
        try await PurchaseHarness.with { h in
            // Captured in part.
            let partial = try await h.post("/api/v2/chat-2-pay", Self.body(["transactionType": "authorization"]))
            let partialRef = try #require(partial.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(partial))
            #expect(try await Self.status(h, partialRef) == "AUTHORIZED")
            let tooMuch = try await h.post("/api/v2/capture/\(partialRef)", ["amount": 1_001])
            #expect(tooMuch.status == 400, "\(tooMuch.text)")
            let captured = try await h.post("/api/v2/capture/\(partialRef)", ["amount": 600])
            #expect(captured.status == 200 && captured.json["transactionStatus"] == "CAPTURED" && captured.json["capturedAmount"] == "600",
                    "\(captured.text)")
            let result = try await Self.waitForBankResult(h, partialRef)
            #expect(result["settlementAmount"] as? Int == 600 && result["reserveAmount"] as? Int == 1_000)
            let again = try await h.post("/api/v2/capture/\(partialRef)", [:])
            #expect(again.status == 409)

            // Reversed.
            let reversed = try await h.post("/api/v2/chat-2-pay", Self.body(["transactionType": "authorization"]))
            let reversedRef = try #require(reversed.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(reversed))
            let reverse = try await h.post("/api/v2/reverse/\(reversedRef)", [:])
            #expect(reverse.status == 200 && reverse.json["transactionStatus"] == "REVERSED", "\(reverse.text)")
            let released = try await Self.waitForBankResult(h, reversedRef)
            #expect(released["transactionStatus"] as? String == "FAILED" && released["settlementAmount"] as? Int == 0)

            // Not captured within the funding source's confirmation window: reversed, the bank told to release.
            let expiring = try await h.post("/api/v2/chat-2-pay", Self.body(["transactionType": "authorization"]))
            let expiringRef = try #require(expiring.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(expiring))
            let noReceipt = try await h.post("/api/v2/order-receipt", ["clientId": 200, "paymentLinkRef": expiringRef])
            #expect(noReceipt.status == 409, "no receipt before a capture: \(noReceipt.text)")
            try await h.db.query("""
                UPDATE chat2pay.requests SET capture_deadline = now() - interval '1 second' WHERE payment_link_ref = \(expiringRef)::uuid
                """)
            let lapsed = try await Self.waitForBankResult(h, expiringRef)
            #expect(try await Self.status(h, expiringRef) == "REVERSED")
            #expect(lapsed["responseMessage"] as? String == "Authorisation not captured within the confirmation window")

            // Declined: the bank's message on the page, nothing to tell the bank.
            let declined = try await h.post("/api/v2/chat-2-pay", Self.body())
            let declinedRef = try #require(declined.json["paymentLinkRef"])
            let page = try await Self.pay(h, try Self.pagePath(declined), account: "5555552010")
            #expect(page.html.contains("Insufficient funds"), "\(page.html.prefix(800))")
            #expect(try await Self.status(h, declinedRef) == "DECLINED")

            // Never answered (the simulator is silent for …2060): declined as unanswered, the bank told to release.
            let silent = try await h.post("/api/v2/chat-2-pay", Self.body())
            let silentRef = try #require(silent.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(silent), account: "5555552060")
            #expect(try await Self.status(h, silentRef) == "DECLINED")
            let unanswered = try await Self.waitForBankResult(h, silentRef)
            #expect(unanswered["responseCode"] as? String == "2060")
            #expect(h.bank.resultBodies(declinedRef).isEmpty)

            // An answer that does not match the request (the recorder's bank echoes another amount for …7777) counts
            // as none: declined as unanswered, the bank told to release whatever it held.
            let liar = try await h.post("/api/v2/chat-2-pay", Self.body())
            let liarRef = try #require(liar.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(liar), account: "5555557777")
            #expect(try await Self.status(h, liarRef) == "DECLINED")
            #expect(try await Self.waitForBankResult(h, liarRef)["responseCode"] as? String == "2060")

            // A process that claimed a payment and stopped before the bank's answer was recorded: once the bank's
            // timeout and the grace have passed, the payment is declined as unanswered and the bank told to release.
            let orphan = try await h.post("/api/v2/chat-2-pay", Self.body())
            let orphanRef = try #require(orphan.json["paymentLinkRef"])
            let orphanPath = try Self.pagePath(orphan)
            _ = try await Self.page(h, orphanPath)
            let tokenHash = try await h.db.query("SELECT token_hash FROM chat2pay.requests WHERE payment_link_ref = \(orphanRef)::uuid")
                .single().decode(String.self, "token_hash")
            try await h.db.query("SELECT chat2pay.begin_payment(\(tokenHash))")
            let claimed = try await Self.page(h, orphanPath)
            #expect(claimed.html.contains("considering the payment"), "a payment under way shows as such")
            try await h.db.query("""
                UPDATE chat2pay.requests SET paying_since = now() - interval '1 hour' WHERE payment_link_ref = \(orphanRef)::uuid
                """)
            let orphanResult = try await Self.waitForBankResult(h, orphanRef)
            #expect(try await Self.status(h, orphanRef) == "DECLINED" && orphanResult["responseCode"] as? String == "2060")
            #expect(h.bank.reserveCount(orphanRef) == 0)

            for _ in 0..<100 where (try? await Self.violations(h).isEmpty) != true { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await Self.violations(h).isEmpty)
        }
    }

    @Test("links and pages expire by the database clock; cancel answers reasonCode 1 and 2; a link only returned (channel none); a link whose message fails is PAYMENT_LINK_SENT_FAILED")
    func expiryAndCancellation() async throws {
        try await PurchaseHarness.with { h in
            let unopened = try await h.post("/api/v2/chat-2-pay", Self.body())
            let unopenedRef = try #require(unopened.json["paymentLinkRef"])
            try await h.db.query("UPDATE chat2pay.requests SET link_expires_at = now() - interval '1 second' WHERE payment_link_ref = \(unopenedRef)::uuid")
            let expired = try await Self.page(h, try Self.pagePath(unopened))
            #expect(expired.status == 410 && expired.html.contains("expired"))
            #expect(try await Self.status(h, unopenedRef) == "PAYMENT_LINK_EXPIRED")
            let late = try await h.post("/api/v2/cancel/\(unopenedRef)", [:])
            #expect(late.status == 400 && late.json["reasonCode"] == "2", "\(late.text)")

            let opened = try await h.post("/api/v2/chat-2-pay", Self.body())
            let openedRef = try #require(opened.json["paymentLinkRef"])
            let path = try Self.pagePath(opened)
            let first = try await Self.page(h, path)
            try await h.db.query("UPDATE chat2pay.requests SET page_expires_at = now() - interval '1 second' WHERE payment_link_ref = \(openedRef)::uuid")
            let submitted = try await Self.page(
                h, path, form: ["csrf": try #require(first.csrf), "accountIdentifier": "1234567890"],
                cookie: first.cookies.first { $0.hasPrefix("transact_pay=") })
            #expect(submitted.status == 410 && h.bank.reserveCount(openedRef) == 0)
            #expect(try await Self.status(h, openedRef) == "PAYMENT_PAGE_EXPIRED")

            let cancelled = try await h.post("/api/v2/chat-2-pay", Self.body())
            let cancelledRef = try #require(cancelled.json["paymentLinkRef"])
            let cancel = try await h.post("/api/v2/cancel/\(cancelledRef)", [:])
            #expect(cancel.status == 200 && cancel.json["transactionStatus"] == "PAYMENT_LINK_CANCELLED" && cancel.json["transactionStatusId"] == "19")
            let twice = try await h.post("/api/v2/cancel/\(cancelledRef)", [:])
            #expect(twice.status == 400 && twice.json["reasonCode"] == "1")
            let closed = try await Self.page(h, try Self.pagePath(cancelled))
            #expect(closed.status == 410)

            // Channel none: received, the link only returned; paid; its receipt cannot be sent.
            let linkOnly = try await h.post("/api/v2/chat-2-pay", Self.body(["channel": "none", "to": NSNull()]))
            let linkOnlyRef = try #require(linkOnly.json["paymentLinkRef"])
            #expect(linkOnly.json["transactionStatus"] == "PAYMENT_LINK_REQUEST_RECEIVED" && linkOnly.json["transactionStatusId"] == "1")
            _ = try await Self.pay(h, try Self.pagePath(linkOnly))
            let unsent = try await h.post("/api/v2/order-receipt", ["clientId": 200, "paymentLinkRef": linkOnlyRef])
            #expect(unsent.status == 201 && unsent.json["transactionStatus"] == "RECEIPT_LINK_SENT_FAILED", "\(unsent.text)")

            // The simulated channel ends a message to …029 with 29 (RECIPIENT_DOES_NOT_EXIST).
            let undeliverable = try await h.post("/api/v2/chat-2-pay", Self.body(["to": "27831234029"]))
            let undeliverableRef = try #require(undeliverable.json["paymentLinkRef"])
            for _ in 0..<200 where try await Self.status(h, undeliverableRef) != "PAYMENT_LINK_SENT_FAILED" {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await Self.status(h, undeliverableRef) == "PAYMENT_LINK_SENT_FAILED")
            #expect(try await Self.violations(h).isEmpty)
        }
    }

    @Test("a product bought by chat: the captured payment is vended once through the purchase core, and its token goes to the customer on the request's channel")
    func productBoughtByChat() async throws {
        try await PurchaseHarness.with { h in
            let refused = try await h.post("/api/v2/chat-2-pay", Self.body(["productId": 719, "targetIdentifier": "4001234567", "channel": "none"]))
            #expect(refused.status == 400 && refused.json["responseMessage"] == "channel :must be sms or whatsapp when productId is given")
            let created = try await h.post("/api/v2/chat-2-pay", Self.body([
                "productId": 719, "targetIdentifier": "4001234567", "channel": "whatsapp",
                "subTotalAmount": 8_696, "taxAmount": 1_304, "totalAmount": 10_000,
            ]))
            #expect(created.status == 201, "\(created.text)")
            let reference = try #require(created.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(created))
            var purchase: String?
            for _ in 0..<200 {
                purchase = try await h.db.query("""
                    SELECT t.raas_txn_ref::text AS p FROM chat2pay.requests r
                    JOIN purchases.transactions t ON t.raas_txn_ref = r.purchase_raas_txn_ref AND t.state = 'success'
                    WHERE r.payment_link_ref = \(reference)::uuid
                    """).first?.decode(String.self, "p")
                if purchase != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let purchaseRef = try #require(purchase, "the product was bought")
            #expect(h.vendor.references(purchaseRef).count == 1, "vended once")
            let token = try await h.db.query("""
                SELECT m.channel_id, m.destination_identifier, m.message, t.token FROM notifications.messages m
                JOIN purchases.transactions t ON t.raas_txn_ref = \(purchaseRef)::uuid
                WHERE m.client_notification_ref = \("token/" + purchaseRef)
                """).single()
            #expect(try token.decode(Int.self, "channel_id") == 8 && token.decode(String.self, "destination_identifier") == "27831234567")
            #expect(try token.decode(String.self, "message").contains(token.decode(String.self, "token")))
            let view = try await h.get("/api/v2/chat-2-pay/\(reference)")
            let fields = PurchaseHarness.fields(view.text)
            #expect((fields["purchase"] as? [String: Any])?["transactionStatus"] as? String == "SUCCESS", "\(view.text)")
            for _ in 0..<100 where (try? await Self.violations(h).isEmpty) != true { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await Self.violations(h).isEmpty)
        }
    }

    @Test("support finds payment requests by reference, order number and customer, sees each one's story (history, deliveries, messages, ledger), in the API and the console, audited; the settlement file holds the capture")
    func support() async throws {
        try await PurchaseHarness.with { h in
            let body = Self.body(["transactionType": "authorization", "to": "27839876543"])
            let created = try await h.post("/api/v2/chat-2-pay", body)
            let reference = try #require(created.json["paymentLinkRef"])
            _ = try await Self.pay(h, try Self.pagePath(created))
            _ = try await h.post("/api/v2/capture/\(reference)", ["amount": 400])
            _ = try await Self.waitForBankResult(h, reference)

            let token = try await SupportFlowTests.supportToken(h)
            for query in ["paymentLinkRef=\(reference)", "orderNumber=\(body["orderNumber"] as? String ?? "")", "to=27839876543", "clientId=200"] {
                let found = SupportFlowTests.object(try await SupportFlowTests.get(h, "/support/payment-requests?\(query)", token: token).text)
                let rows = found["paymentRequests"] as? [[String: Any]] ?? []
                #expect(rows.first?["paymentLinkRef"] as? String == reference, "\(query): \(found)")
            }
            let refused = try await SupportFlowTests.get(h, "/support/payment-requests?to=12", token: token)
            #expect(refused.status == 400, "\(refused.text)")
            let clientsOwn = try await h.get("/support/payment-requests?paymentLinkRef=\(reference)")
            #expect(clientsOwn.status == 403, "support only")

            let story = SupportFlowTests.object(try await SupportFlowTests.get(h, "/support/payment-requests/\(reference)", token: token).text)
            #expect((story["history"] as? [[String: Any]])?.compactMap { $0["transactionStatus"] as? String }
                    == ["PAYMENT_LINK_SENT", "PAYMENT_LINK_CLICKED", "AUTHORIZED", "CAPTURED"])
            let deliveries = story["deliveries"] as? [[String: Any]] ?? []
            #expect(deliveries.contains { $0["kind"] as? String == "bank_result" && ($0["body"] as? [String: Any])?["settlementAmount"] as? Int == 400 })
            #expect((story["ledger"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["pending", "post"], "\(story["ledger"] ?? "")")
            #expect((story["messages"] as? [[String: Any]])?.count == 1)
            let missing = try await SupportFlowTests.get(h, "/support/payment-requests/\(UUID().uuidString)", token: token)
            #expect(missing.status == 404)

            // The day's settlement file holds the capture: what the funding source owes the merchant.
            let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let settlement = SupportFlowTests.object(try await SupportFlowTests.get(
                h, "/support/reports/settlement?date=\(day)&format=json", token: token).text)
            let payments = settlement["chat2PayPayments"] as? [[String: Any]] ?? []
            #expect(payments.contains { $0["paymentLinkRef"] as? String == reference && $0["capturedAmount"] as? Int == 400 }, "\(settlement)")
            let csv = try await SupportFlowTests.get(h, "/support/reports/settlement?date=\(day)&format=csv", token: token).text
            #expect(csv.contains("chat2pay_payment,\(reference),"), "\(csv)")
            let vendors = SupportFlowTests.object(try await SupportFlowTests.get(
                h, "/support/reports/settlement?date=\(day)&vendorId=100&format=json", token: token).text)
            #expect((vendors["chat2PayPayments"] as? [Any])?.isEmpty == true, "a vendor's file has no payments by chat")

            let browser = ConsoleFlowTests.Browser(base: h.service)
            _ = try await browser.signIn("9001", "support-secret-change-me")
            let list = try await browser.go(.GET, "/console/payment-requests?to=27839876543")
            #expect(list.status == 200 && list.text.contains(reference) && list.text.contains("ZAR 10.00"), "\(list.text.suffix(1_500))")
            let page = try await browser.go(.GET, "/console/payment-requests/\(reference)")
            #expect(page.status == 200 && page.text.contains("captured in part by the merchant") && page.text.contains("transactResult to the bank")
                    && page.text.contains("ZAR 4.00"), "\(page.text.suffix(2_000))")
            let audited = try await h.db.query("""
                SELECT count(*) AS n FROM support.audit_log WHERE action IN ('search payment requests', 'view payment request')
                """).single().decode(Int.self, "n")
            #expect(audited >= 7)
        }
    }

    @Test("every status change is pushed to the merchant's callback URL in order, retried until acknowledged, the same bytes each time, signed")
    func callbacks() async throws {
        let bodies = Mutex<[String]>([])
        let signatures = Mutex<[String]>([])
        let refusals = Mutex(2)
        let router = Router()
        router.post("chat2pay") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 65_536)
            bodies.withLock { $0.append(String(buffer: body)) }
            signatures.withLock { $0.append(request.headers[.init("Signature")!] ?? "") }
            let refuse = refusals.withLock { left in
                defer { left = max(left - 1, 0) }
                return left > 0
            }
            return Response(status: refuse ? .serviceUnavailable : .ok)
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { merchant in
            let url = "http://127.0.0.1:\(try #require(merchant.port))/chat2pay"
            try await PurchaseHarness.with(prepare: { simulators in
                try await simulators.db.query("UPDATE chat2pay.merchants SET callback_url = \(url) WHERE client_id = 200")
                // The merchant requires signatures: its requests carry one, and its callbacks are signed.
                let sealed = try simulators.harness(service: "", token: "").sealedSignatureSecret()
                try await simulators.db.query("""
                    UPDATE catalogue.clients SET signature_required = true, signature_secret_sealed = \(sealed) WHERE client_id = 200
                    """)
            }, adjust: { configuration in
                configuration.chat2Pay.callbackRetryDelayMs = 50
                configuration.chat2Pay.pollIntervalMs = 100
            }) { h in
                let raw = try JSONSerialization.data(withJSONObject: Self.body(["additionalData": ["basket": "42"]]))
                let unsigned = try await h.post("/api/v2/chat-2-pay", raw: raw)
                #expect(unsigned.status == 400 && unsigned.json["responseMessage"] == "Header Signature invalid", "\(unsigned.text)")
                let created = try await h.post("/api/v2/chat-2-pay", raw: raw, signature: h.signature(raw))
                let reference = try #require(created.json["paymentLinkRef"])
                _ = try await Self.pay(h, try Self.pagePath(created))
                for _ in 0..<200 where try await h.db.query("""
                    SELECT count(*) AS n FROM chat2pay.deliveries WHERE kind = 'callback' AND status = 'acknowledged'
                    """).single().decode(Int.self, "n") < 4 {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let received = bodies.withLock { $0 }
                // Two refusals of the first change, its acknowledged repeat, then the other three.
                #expect(received.count == 6, "\(received)")
                #expect(Set(received.prefix(3)).count == 1, "every attempt carries the same bytes")
                let decoded = received.dropFirst(2).map(PurchaseHarness.fields)
                #expect(decoded.compactMap { $0["transactionStatus"] as? String }
                        == ["PAYMENT_LINK_SENT", "PAYMENT_LINK_CLICKED", "AUTHORIZED", "CAPTURED"])
                #expect(decoded.allSatisfy { $0["paymentLinkRef"] as? String == reference && $0["totalAmount"] as? Int == 1_000 })
                #expect((decoded.last?["additionalData"] as? [String: Any])?["basket"] as? String == "42")
                let signed = signatures.withLock { $0 }
                #expect(signed.count == received.count && zip(received, signed).allSatisfy { $1 == h.signature(Data($0.utf8)) },
                        "every callback carries the Signature of its bytes")
            }
        }
    }
}
