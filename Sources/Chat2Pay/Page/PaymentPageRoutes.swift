import Foundation
public import BankInterfaces
public import Hummingbird
import Observability
public import ServiceHTTP
import TransactCore
import TransactCrypto

/// The payment page a link opens, `GET /pay/{token}` (API.md §12), and its form, `POST /pay/{token}`: server-rendered,
/// no script, a strict CSP. Opening a link starts the page's window; submitting the form claims the payment once
/// (a second submission shows the outcome of the first, never charges again) and asks the bank to reserve the funds.
/// The account identifier and authorisation code go to the bank and nowhere else: not logged, not stored. The form
/// carries a CSRF token double-submitted in a cookie scoped to the page.
public struct PaymentPageRoutes: Sendable {
    let store: PaymentRequestStore
    let payment: PagePayment
    /// The path prefix every route is mounted under (`http.pathPrefix`), for links and cookies.
    let base: String
    let secureCookies: Bool

    public init(store: PaymentRequestStore, fundingSources: FundingSourceDirectory, pathPrefix: String, secureCookies: Bool) {
        self.store = store
        self.payment = PagePayment(store: store, fundingSources: fundingSources)
        self.base = pathPrefix
        self.secureCookies = secureCookies
    }

    static let csrfCookieName = "transact_pay"

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("pay/assets/pay.css") { _, _ -> Response in
            HTMLPage.stylesheet(PaymentPageTemplates.stylesheet)
        }
        group.get("pay/:token") { _, context -> Response in
            guard let token = Self.token(context), let page = try await store.openPage(tokenHash: PaymentLinks.hash(token)) else {
                return notFound()
            }
            return render(page, token: token, problem: nil)
        }
        group.get("receipt/:token") { _, context -> Response in
            guard let token = Self.token(context), let page = try await store.receiptPage(tokenHash: PaymentLinks.hash(token)) else {
                return notFound()
            }
            var values = values(page)
            values["title"] = "Receipt"
            values["paid"] = page.captured ?? page.total
            values["paidAt"] = page.paidAt.map { String($0.prefix(10)) + " " + String($0.dropFirst(11).prefix(5)) + " UTC" }
            return HTMLPage.response(PaymentPageTemplates.render("receipt", values), status: .ok)
        }
        group.post("pay/:token") { request, context -> Response in
            guard let token = Self.token(context) else { return notFound() }
            let form = try await HTMLPage.form(request, maxBytes: 4_096)
            guard let expected = request.cookies[Self.csrfCookieName]?.value, let presented = form["csrf"],
                ConstantTime.equals(expected, presented)
            else {
                guard let page = try await store.openPage(tokenHash: PaymentLinks.hash(token)) else { return notFound() }
                return render(page, token: token, problem: "This form has expired. Please try again.", status: .forbidden)
            }
            let credentials: PagePayment.Credentials
            do {
                credentials = try PagePayment.Credentials(form)
            } catch let problem as PagePayment.Credentials.Problem {
                guard let page = try await store.openPage(tokenHash: PaymentLinks.hash(token)) else { return notFound() }
                return render(page, token: token, problem: problem.message, status: .badRequest)
            }
            guard let page = try await payment.pay(tokenHash: PaymentLinks.hash(token), credentials) else { return notFound() }
            return render(page, token: token, problem: nil)
        }
    }

    /// The path's token when it could be one.
    static func token(_ context: TransactRequestContext) -> String? {
        guard let token = context.parameters.get("token"), PaymentLinks.isWellFormed(token) else { return nil }
        return token
    }

    /// What every page of a request shows: the merchant, the order and its amounts.
    private func values(_ page: PageView) -> [String: Any] {
        [
            "base": base, "merchant": page.merchantName, "order": page.orderNumber, "subTotal": page.subTotal,
            "tax": page.tax, "total": page.total,
        ]
    }

    private func render(_ page: PageView, token: String, problem: String?, status: HTTPResponse.Status = .ok) -> Response {
        var values = values(page)
        switch page.stage {
        case .payable:
            let csrf = Base64URL.encode(SecureRandom.bytes(count: 32))
            values["title"] = "Pay \(page.merchantName)"
            values["token"] = token
            values["csrf"] = csrf
            values["problem"] = problem
            var response = HTMLPage.response(PaymentPageTemplates.render("pay", values), status: status)
            response.setCookie(Cookie(
                name: Self.csrfCookieName, value: csrf, maxAge: 3_600, path: base + "/pay/" + token, secure: secureCookies,
                httpOnly: true, sameSite: .strict))
            return response
        case .paying:
            return outcome(values, "Payment in progress", "waiting", "Your bank is considering the payment. Refresh this page in a moment.", .ok)
        case .paid:
            let message = page.status == PaymentRequestStatus.authorized.name
                ? "Your bank approved \(page.total) for \(page.merchantName). Thank you."
                : "Paid: \(page.captured ?? page.total) to \(page.merchantName). Thank you."
            return outcome(values, "Payment approved", "good", message, .ok)
        case .declined(let message):
            return outcome(values, "Payment declined", "problem", "Your bank declined the payment: \(message)", .ok)
        case .closed(let message):
            return outcome(values, "Payment request closed", "problem", message, .gone)
        }
    }

    private func outcome(_ values: [String: Any], _ title: String, _ tone: String, _ message: String, _ status: HTTPResponse.Status) -> Response {
        var values = values
        values["title"] = title
        values["tone"] = tone
        values["message"] = message
        return HTMLPage.response(PaymentPageTemplates.render("outcome", values), status: status)
    }

    private func notFound() -> Response {
        HTMLPage.response(PaymentPageTemplates.render("not-found", ["base": base, "title": "Payment link not found"]), status: .notFound)
    }
}
