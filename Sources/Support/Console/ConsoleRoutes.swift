import Foundation
public import Hummingbird
import HTTPTypes
public import Postgres
public import SecurityService
public import ServiceHTTP
import TransactCore
import TransactCrypto

/// The support web console at `/console` (API.md §8): the support API's work as server-rendered pages, readable
/// without JavaScript. Support users sign in with their client id and secret; the session is a cookie (`HttpOnly`,
/// `SameSite=Strict`, `Secure` when served over TLS) that ends after `sessionIdleMinutes` unused or `sessionHours`.
/// Every form carries the session's CSRF token (the sign-in form a token of its own, double-submitted in a cookie).
/// Every page and action is written to the audit log.
public struct ConsoleRoutes: Sendable {
    let database: any PostgresQueryable
    let issuer: TokenIssuer
    let sessions: ConsoleSessions
    let audit: AuditLog
    let configuration: SupportConfiguration
    /// The path prefix every route is mounted under (`http.pathPrefix`), for links and cookies.
    let base: String

    public init(
        database: any PostgresQueryable, issuer: TokenIssuer, configuration: SupportConfiguration, pathPrefix: String
    ) {
        self.database = database
        self.issuer = issuer
        self.sessions = ConsoleSessions(
            database: database, idleMinutes: configuration.sessionIdleMinutes, hours: configuration.sessionHours)
        self.audit = AuditLog(database: database, channel: .console)
        self.configuration = configuration
        self.base = pathPrefix
    }

    /// A signed-in request: the session and its cookie's token.
    struct SignedIn {
        let session: ConsoleSessions.Session
        let token: String
    }

    public func add(to parent: RouterGroup<TransactRequestContext>) {
        let group = parent.group().add(middleware: ConsoleErrorPages(base: base))
        group.get("console/assets/console.css") { _, _ -> Response in
            HTMLPage.stylesheet(ConsoleTemplates.stylesheet)
        }
        group.get("console/sign-in") { request, context -> Response in
            if try await signedIn(request) != nil { return redirect("/console") }
            return signInPage(problem: nil, status: .ok)
        }
        group.post("console/sign-in") { request, context -> Response in
            let form = try await HTMLPage.form(request)
            guard let expected = request.cookies[ConsoleSessions.signInCookieName]?.value, let presented = form["csrf"],
                ConstantTime.equals(expected, presented)
            else { return signInPage(problem: "The sign-in form expired. Please try again.", status: .forbidden) }
            let claimed = form["clientId"] ?? ""
            let client: ClientRecord
            do {
                client = try await issuer.authenticate(clientId: claimed, clientSecret: form["clientSecret"])
            } catch TokenIssuer.Refusal.throttled(let seconds) {
                try await audit.record(Int64(claimed) ?? 0, "sign-in refused", target: "throttled", context)
                return signInPage(problem: "Too many attempts. Try again in \(seconds) seconds.", status: .tooManyRequests)
            } catch is TokenIssuer.Refusal {
                try await audit.record(Int64(claimed) ?? 0, "sign-in refused", target: "unknown client or wrong secret", context)
                return signInPage(problem: "Unknown client id or wrong secret.", status: .unauthorized)
            }
            guard client.role == .support else {
                try await audit.record(client.clientId, "sign-in refused", target: "role \(client.role.rawValue)", context)
                return signInPage(problem: "Only support users may use the console.", status: .forbidden)
            }
            let token = try await sessions.start(clientId: client.clientId, remoteAddress: context.remoteAddress)
            try await audit.record(client.clientId, "sign in", context)
            var response = redirect("/console")
            response.setCookie(cookie(ConsoleSessions.cookieName, token, maxAge: configuration.sessionHours * 3_600))
            response.setCookie(cookie(ConsoleSessions.signInCookieName, "gone", maxAge: 0))
            return response
        }
        group.post("console/sign-out") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            try await requireCSRF(request, signedIn)
            try await sessions.end(token: signedIn.token)
            try await audit.record(signedIn.session.clientId, "sign out", context)
            var response = redirect("/console/sign-in")
            response.setCookie(cookie(ConsoleSessions.cookieName, "gone", maxAge: 0))
            return response
        }
        group.get("console") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            try await audit.record(signedIn.session.clientId, "view dashboard", context)
            let dashboard = try await ConsoleDashboard.read(on: database)
            return page("dashboard", "Dashboard", signedIn, dashboard.values)
        }
        group.get("console/transactions") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            return try await searchPage(request, signedIn, context)
        }
        group.get("console/transactions/:raasTxnRef") { request, context -> Response in
            // A reference that names no transaction is not found, signed in or not: nothing to sign in for.
            let reference = try SupportRequests.raasTxnRef(context)
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            try await audit.record(signedIn.session.clientId, "view transaction", target: reference.uuidString.lowercased(), context)
            guard let story = try await TransactionStory.read(reference, on: database) else { throw SupportRequests.notFound }
            var values = ConsoleStory(json: story).values
            values["notice"] = Self.notice(request)
            return page("transaction", "Transaction \(reference.uuidString.lowercased())", signedIn, values)
        }
        group.post("console/transactions/:raasTxnRef/resend") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { throw Forbidden("sign in first") }
            let form = try await requireCSRF(request, signedIn)
            let reference = try SupportRequests.raasTxnRef(context)
            try await audit.record(signedIn.session.clientId, "resend result", target: reference.uuidString.lowercased(), context)
            try await SupportRequests.resendResult(reference, on: database)
            return redirect(form["back"] == "exceptions"
                ? "/console/exceptions?done=resent" : "/console/transactions/\(reference.uuidString.lowercased())?done=resent")
        }
        group.get("console/payment-requests") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            var query: [String: String] = [:]
            for name in PaymentRequestSearch.parameters {
                if let value = request.uri.queryParameters[Substring(name)].map(String.init), !value.isEmpty { query[name] = value }
            }
            var values: [String: Any] = ["query": query]
            try await audit.record(signedIn.session.clientId, "search payment requests", detail: request.uri.query, context)
            do {
                let found = try await PaymentRequestSearch(request, configuration: configuration).run(on: database)
                values["rows"] = found.map(ConsoleValues.row)
            } catch let error as APIError {
                values["problem"] = error.responseMessage
            }
            return page("payment-requests", "Payment requests", signedIn, values)
        }
        group.get("console/payment-requests/:paymentLinkRef") { request, context -> Response in
            let reference = try SupportRoutes.paymentLinkRef(context)
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            try await audit.record(signedIn.session.clientId, "view payment request", target: reference.uuidString.lowercased(), context)
            guard let story = try await PaymentRequestSearch.story(reference, on: database) else { throw PaymentRequestSearch.notFound }
            return page("payment-request", "Payment request \(reference.uuidString.lowercased())", signedIn, ConsolePaymentRequest(json: story).values)
        }
        group.get("console/exceptions") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            try await audit.record(signedIn.session.clientId, "list exceptions", context)
            let items = try await SupportExceptions.list(
                holidays: configuration.publicHolidays, limit: configuration.maxExceptions, on: database)
            var values: [String: Any] = [
                "items": items.map { item in
                    ConsoleValues.row(item).merging(["resendable": item.kind == "unacknowledged_result"]) { $1 }
                },
            ]
            values["notice"] = Self.notice(request)
            return page("exceptions", "Exceptions", signedIn, values)
        }
        group.get("console/settlement") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return redirect("/console/sign-in") }
            return try await settlementPage(request, signedIn, context)
        }
        group.get("console/settlement/download") { request, context -> Response in
            let (date, clientId, vendorId) = try SupportRequests.settlement(request)
            let csv = try SupportRequests.wantsCSV(request)
            // A file, not a page: without a session it is refused with a page that leads to the sign-in form,
            // rather than answered with the form itself in the file's place.
            guard let signedIn = try await signedIn(request) else { return signInRequired() }
            try await audit.record(signedIn.session.clientId, "download settlement", target: date.text, context)
            let report = try await SettlementReport.make(date: date, clientId: clientId, vendorId: vendorId, on: database)
            return HTMLPage.secured(SupportRequests.file(report, csv: csv))
        }
    }

    // MARK: Pages

    private func searchPage(_ request: Request, _ signedIn: SignedIn, _ context: TransactRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query: [String: String] = [:]
        for name in SupportRequests.searchParameters {
            if let value = parameters[Substring(name)].map(String.init), !value.isEmpty { query[name] = value }
        }
        let now = Date()
        var values: [String: Any] = [
            "query": query,
            "statuses": TransactionSearch.Status.allCases.map { ["value": $0.rawValue, "selected": query["status"] == $0.rawValue] },
            "fromHint": Self.day(now.addingTimeInterval(-7 * 86_400)) + "T00:00:00Z", "toHint": Self.day(now) + "T23:59:59Z",
        ]
        // A form left empty searches as the API does without filters: the last 7 days, newest first.
        if query.isEmpty { values["defaultRange"] = true }
        try await audit.record(signedIn.session.clientId, "search transactions", detail: request.uri.query, context)
        do {
            let search = try SupportRequests.search(request, configuration: configuration, now: now)
            let found = try await search.run(on: database)
            values["searched"] = true
            values["rows"] = found.transactions.map(ConsoleValues.row)
            if let cursor = found.nextCursor {
                var next = URLComponents()
                next.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
                    + [URLQueryItem(name: "cursor", value: cursor)]
                values["next"] = base + "/console/transactions?" + (next.percentEncodedQuery ?? "")
            }
        } catch let error as APIError {
            values["problem"] = error.responseMessage
        }
        return page("search", "Search transactions", signedIn, values)
    }

    /// A day as YYYY-MM-DD (UTC).
    static func day(_ instant: Date) -> String {
        String(ISO8601DateFormatter().string(from: instant).prefix(10))
    }

    private func settlementPage(_ request: Request, _ signedIn: SignedIn, _ context: TransactRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var values: [String: Any] = [
            "date": parameters["date"].map(String.init) ?? Self.day(Date()),
            "clientId": parameters["clientId"].map(String.init) ?? "", "vendorId": parameters["vendorId"].map(String.init) ?? "",
        ]
        guard parameters["date"] != nil else { return page("settlement", "Settlement", signedIn, values) }
        do {
            let (date, clientId, vendorId) = try SupportRequests.settlement(request)
            try await audit.record(signedIn.session.clientId, "settlement report", target: date.text, context)
            let report = try await SettlementReport.make(date: date, clientId: clientId, vendorId: vendorId, on: database)
            var download = URLComponents()
            download.queryItems = [URLQueryItem(name: "date", value: date.text)]
                + (clientId.map { [URLQueryItem(name: "clientId", value: String($0))] } ?? [])
                + (vendorId.map { [URLQueryItem(name: "vendorId", value: String($0))] } ?? [])
            values["report"] = [
                "download": base + "/console/settlement/download?" + (download.percentEncodedQuery ?? ""),
                "totals": report.totals.map(ConsoleValues.row), "transactions": report.transactions.map(ConsoleValues.row),
            ] as [String: Any]
        } catch let error as APIError {
            values["problem"] = error.responseMessage
        }
        return page("settlement", "Settlement", signedIn, values)
    }

    private func signInPage(problem: String?, status: HTTPResponse.Status) -> Response {
        let token = ConsoleSessions.randomToken()
        var values: [String: Any] = ["title": "Sign in", "base": base, "signInToken": token]
        values["problem"] = problem
        var response = HTMLPage.response(ConsoleTemplates.render("sign-in", values), status: status)
        response.setCookie(cookie(ConsoleSessions.signInCookieName, token, maxAge: 900))
        return response
    }

    /// 401: the session has ended (or never began); the page links to the sign-in form.
    private func signInRequired() -> Response {
        HTMLPage.response(
            ConsoleTemplates.render("sign-in-required", ["title": "Sign in first", "base": base]), status: .unauthorized)
    }

    private func page(_ template: String, _ title: String, _ signedIn: SignedIn, _ values: [String: Any]) -> Response {
        var values = values
        values["title"] = title
        values["base"] = base
        values["actor"] = String(signedIn.session.clientId)
        values["csrf"] = signedIn.session.csrfToken
        return HTMLPage.response(ConsoleTemplates.render(template, values), status: .ok)
    }

    /// The note an action's redirect asks for, from a fixed set (nothing from the request is echoed).
    static func notice(_ request: Request) -> String? {
        request.uri.queryParameters["done"] == "resent" ? "One more delivery of the result is queued." : nil
    }

    // MARK: Sessions, forms, answers

    private func signedIn(_ request: Request) async throws -> SignedIn? {
        guard let token = request.cookies[ConsoleSessions.cookieName]?.value,
            let session = try await sessions.resume(token: token)
        else { return nil }
        return SignedIn(session: session, token: token)
    }

    /// The form's fields, once its CSRF token is the session's.
    @discardableResult
    private func requireCSRF(_ request: Request, _ signedIn: SignedIn) async throws -> [String: String] {
        let form = try await HTMLPage.form(request)
        guard let presented = form["csrf"], ConstantTime.equals(presented, signedIn.session.csrfToken) else {
            throw Forbidden("the form's CSRF token is missing or wrong")
        }
        return form
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: (base.isEmpty ? "" : base) + "/console",
            secure: configuration.consoleSecureCookies, httpOnly: true, sameSite: .strict)
    }

    private func redirect(_ path: String) -> Response {
        HTMLPage.secured(Response(status: .seeOther, headers: [.location: base + path]))
    }
}
