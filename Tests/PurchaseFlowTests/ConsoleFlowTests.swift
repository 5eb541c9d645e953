import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// The support web console over HTTP, as a browser without scripts would use it: cookies, forms, redirects.
@Suite("Support console: sign-in, sessions, CSRF, pages (API.md §8)", .serialized)
struct ConsoleFlowTests {
    /// A browser's minimum: one cookie jar, no redirects followed (the tests look at them).
    final class Browser: @unchecked Sendable {
        let base: String
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var cookies: [String: String] = [:]

        init(base: String) { self.base = base }

        struct Page {
            let status: Int
            let text: String
            let headers: HTTPHeaders
        }

        func go(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil) async throws -> Page {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            if let form {
                var components = URLComponents()
                components.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: components.percentEncodedQuery ?? ""))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            for header in response.headers[canonicalForm: "Set-Cookie"] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                if header.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
            }
            let body = try await response.body.collect(upTo: 4 << 20)
            return Page(status: Int(response.status.code), text: String(buffer: body), headers: response.headers)
        }

        /// The value of a hidden `name` field of the page.
        static func hidden(_ name: String, in page: Page) -> String? {
            guard let range = page.text.range(of: "name=\"\(name)\" value=\"") else { return nil }
            return String(page.text[range.upperBound...].prefix { $0 != "\"" })
        }

        func signIn(_ clientId: String, _ secret: String) async throws -> Page {
            let form = try await go(.GET, "/console/sign-in")
            return try await go(.POST, "/console/sign-in", form: [
                "csrf": Self.hidden("csrf", in: form) ?? "", "clientId": clientId, "clientSecret": secret,
            ])
        }

        deinit { try? http.syncShutdown() }
    }

    @Test("sign-in sets an HttpOnly, SameSite=Strict session; pages need it; forms need its CSRF token; sign-out ends it")
    func session() async throws {
        try await PurchaseHarness.with { harness in
            let browser = Browser(base: harness.service)
            let away = try await browser.go(.GET, "/console")
            #expect(away.status == 303 && away.headers.first(name: "Location") == "/console/sign-in")
            let form = try await browser.go(.GET, "/console/sign-in")
            #expect(form.status == 200 && form.text.contains("<form method=\"post\" action=\"/console/sign-in\""))
            #expect(form.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(!form.text.contains("<script"))
            // Without the form's own token, and with a wrong secret: refused.
            let forged = try await browser.go(.POST, "/console/sign-in", form: ["clientId": "9001", "clientSecret": "support-secret-change-me"])
            #expect(forged.status == 403)
            let wrong = try await browser.signIn("9001", "wrong")
            #expect(wrong.status == 401 && wrong.text.contains("Unknown client id or wrong secret."))
            for page in [form, wrong] { Self.expectNoPlaceholders(page) }
            // A bank's credentials are not a support user's.
            let bank = try await browser.signIn("200", "demo-secret-change-me")
            #expect(bank.status == 403 && bank.text.contains("Only support users"))
            let signedIn = try await browser.signIn("9001", "support-secret-change-me")
            #expect(signedIn.status == 303 && signedIn.headers.first(name: "Location") == "/console")
            let sessionCookie = try #require(signedIn.headers[canonicalForm: "Set-Cookie"].first { $0.hasPrefix("transact_console=") })
            #expect(sessionCookie.contains("HttpOnly") && sessionCookie.contains("SameSite=Strict") && sessionCookie.contains("Path=/console"))
            #expect(!sessionCookie.contains("Secure"))
            let stored = try await harness.db.query("SELECT token_hash FROM support.console_sessions").single().decode(String.self, "token_hash")
            #expect(!sessionCookie.contains(stored), "only the token's hash is stored")

            let dashboard = try await browser.go(.GET, "/console")
            #expect(dashboard.status == 200 && dashboard.text.contains("purchases in 24 hours") && dashboard.text.contains("Sign out (9001)"))
            let csrf = try #require(Browser.hidden("csrf", in: dashboard))
            #expect(try await browser.go(.POST, "/console/sign-out", form: ["csrf": "nope"]).status == 403)
            #expect(try await browser.go(.POST, "/console/sign-out", form: ["csrf": csrf]).status == 303)
            #expect(try await browser.go(.GET, "/console").status == 303)

            // Sessions end when idle too long.
            #expect(try await browser.signIn("9001", "support-secret-change-me").status == 303)
            #expect(try await browser.go(.GET, "/console").status == 200)
            try await harness.db.query("UPDATE support.console_sessions SET idle_expires_at = now() - interval '1 second'")
            #expect(try await browser.go(.GET, "/console").status == 303)
            // And when the user's secret is rotated (as `transact clients rotate-secret` does).
            #expect(try await browser.signIn("9001", "support-secret-change-me").status == 303)
            try await harness.db.query("UPDATE catalogue.clients SET secret_rotated_at = now() WHERE client_id = 9001")
            #expect(try await browser.go(.GET, "/console").status == 303)
            let actions = try await harness.db.query("""
                SELECT action FROM support.audit_log WHERE channel = 'console' ORDER BY id
                """).map { try $0.decode(String.self, "action") }
            #expect(actions == [
                "sign-in refused", "sign-in refused", "sign in", "view dashboard", "sign out", "sign in", "view dashboard", "sign in",
            ])
        }
    }

    /// Nothing a program uses for a missing value ever reaches a page.
    static func expectNoPlaceholders(_ page: Browser.Page, sourceLocation: SourceLocation = #_sourceLocation) {
        for placeholder in [">nil<", "Optional(", "<null>", "(null)", "NaN", "undefined"] {
            #expect(!page.text.contains(placeholder), "\(placeholder)", sourceLocation: sourceLocation)
        }
    }

    @Test("search, a transaction's timeline, resend from the page, exceptions, the settlement report and its download")
    func pages() async throws {
        try await PurchaseHarness.with { harness in
            let electricity = try #require(try await harness.reserveAndTransact([
                "clientTxnRef": "console-elec", "productId": 719, "purchaseAmount": 10_000, "feeAmount": 200,
                "targetIdentifier": "4001234567",
            ]).raasTxnRef)
            try await harness.waitFor(electricity)
            let browser = Browser(base: harness.service)
            #expect(try await browser.signIn("9001", "support-secret-change-me").status == 303)
            let search = try await browser.go(.GET, "/console/transactions?clientTxnRef=console-elec")
            #expect(search.status == 200 && search.text.contains("/console/transactions/\(electricity)"))
            // Money in major units with its currency, in lists, stories and settlement (minor units in downloads).
            #expect(search.text.contains("<td class=\"amount\">ZAR 100.00</td>"))
            // A form left empty lists the last 7 days, newest first, as the API does; the hints are dates near today.
            let airtime = try #require(try await harness.reserveAndTransact(["clientTxnRef": "console-later"]).raasTxnRef)
            let everything = try await browser.go(.GET, "/console/transactions")
            #expect(everything.status == 200 && everything.text.contains("The last 7 days, newest first"))
            let newer = try #require(everything.text.range(of: "/console/transactions/\(airtime)"))
            let older = try #require(everything.text.range(of: "/console/transactions/\(electricity)"))
            #expect(newer.lowerBound < older.lowerBound)
            let formatter = ISO8601DateFormatter()
            let weekAgo = String(formatter.string(from: Date().addingTimeInterval(-7 * 86_400)).prefix(10))
            let thisDay = String(formatter.string(from: Date()).prefix(10))
            #expect(everything.text.contains("placeholder=\"\(weekAgo)T00:00:00Z\""))
            #expect(everything.text.contains("placeholder=\"\(thisDay)T23:59:59Z\""))
            let emptyForm = try await browser.go(
                .GET, "/console/transactions?raasTxnRef=&clientTxnRef=&sourceIdentifier=&clientId=&status=&from=&to=&search=")
            #expect(emptyForm.text.contains("/console/transactions/\(airtime)"))
            let refused = try await browser.go(.GET, "/console/transactions?status=DONE")
            #expect(refused.status == 200 && refused.text.contains("status :must be PENDING, SUCCESS or FAILED"))
            let page = try await browser.go(.GET, "/console/transactions/\(electricity)")
            #expect(page.status == 200)
            for amount in ["<dd>ZAR 100.00</dd>", "<dd>ZAR 2.00</dd>", "<dd>ZAR 102.00</dd>", "<dd>ZAR 100.47</dd>", "revenue:ZAR ZAR "] {
                #expect(page.text.contains(amount), "\(amount)")
            }
            for expected in ["reserving", "vending", "bank reserveFunds", "vendor vend", "ledger pending", "ledger post",
                             "result acknowledged", "console-elec"] {
                #expect(page.text.contains(expected), "\(expected)")
            }
            let csrf = try #require(Browser.hidden("csrf", in: page))
            #expect(try await browser.go(.POST, "/console/transactions/\(electricity)/resend", form: [:]).status == 403)
            let resent = try await browser.go(.POST, "/console/transactions/\(electricity)/resend", form: ["csrf": csrf])
            #expect(resent.status == 303 && resent.headers.first(name: "Location") == "/console/transactions/\(electricity)?done=resent")
            #expect(try await browser.go(.GET, "/console/transactions/\(electricity)?done=resent").text.contains("One more delivery"))
            for _ in 0..<200 where harness.bank.resultBodies(electricity).count < 2 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(harness.bank.resultBodies(electricity).count == 2)
            #expect(try await browser.go(.GET, "/console/exceptions").text.contains("Nothing needs a person."))
            // Refusals are pages too, for the person reading them.
            let missing = try await browser.go(.GET, "/console/transactions/\(UUID())")
            #expect(missing.status == 404 && missing.text.contains("<h1>Not found</h1>") && missing.text.contains("Transaction not found"))
            #expect(missing.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
            let today = try await harness.db.query("SELECT (now() AT TIME ZONE 'UTC')::date::text AS d").single().decode(String.self, "d")
            let settlement = try await browser.go(.GET, "/console/settlement?date=\(today)")
            #expect(settlement.status == 200 && settlement.text.contains(electricity) && settlement.text.contains("Download CSV"))
            #expect(settlement.text.contains("<td class=\"amount\">ZAR 100.00</td>") && settlement.text.contains("<td class=\"amount\">ZAR 2.00</td>"))
            let download = try await browser.go(.GET, "/console/settlement/download?date=\(today)&format=csv")
            #expect(download.status == 200 && download.text.hasPrefix("recordType,") && download.text.contains(electricity))
            #expect(download.text.contains(",10000,") && !download.text.contains("ZAR 100.00"))
            for shown in [search, everything, page, settlement] { Self.expectNoPlaceholders(shown) }
            // A reference that names nothing is not found, signed in or not; a download without a session is 401.
            let stranger = Browser(base: harness.service)
            let notAReference = try await stranger.go(.GET, "/console/transactions/not-a-reference")
            #expect(notAReference.status == 404 && notAReference.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
            let signedOut = try await stranger.go(.GET, "/console/settlement/download?date=\(today)&format=csv")
            #expect(signedOut.status == 401 && signedOut.text.contains("/console/sign-in") && !signedOut.text.contains(electricity))
            #expect(download.headers.first(name: "Content-Disposition") == "attachment; filename=\"settlement-\(today).csv\"")
        }
    }
}

@Suite("Support console behind TLS")
struct ConsoleSecureCookieTests {
    @Test("when the console is served over TLS, its cookies are Secure too")
    func secure() async throws {
        try await PurchaseHarness.with(adjust: { $0.support.consoleSecureCookies = true }) { harness in
            let browser = ConsoleFlowTests.Browser(base: harness.service)
            let form = try await browser.go(.GET, "/console/sign-in")
            #expect(form.headers[canonicalForm: "Set-Cookie"].allSatisfy { $0.contains("Secure") })
            let signedIn = try await browser.signIn("9001", "support-secret-change-me")
            let session = try #require(signedIn.headers[canonicalForm: "Set-Cookie"].first { $0.hasPrefix("transact_console=") })
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=Strict"))
        }
    }
}
