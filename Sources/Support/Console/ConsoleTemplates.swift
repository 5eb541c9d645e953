import ServiceHTTP

/// The console's pages (Mustache; every `{{value}}` is HTML-escaped). Each page fills the layout's `body`; the layout
/// is the header, the navigation and the sign-out form. No script anywhere: every action is a link or a form, and
/// the stylesheet is the only other file.
enum ConsoleTemplates {
    static let pages = PageTemplates(templates)

    static func render(_ page: String, _ values: [String: Any]) -> String {
        pages.render(page, values)
    }

    static let templates: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Transact support</title>
            <link rel="stylesheet" href="{{base}}/console/assets/console.css">
            </head>
            <body>
            <header>
              <a class="brand" href="{{base}}/console">Transact support</a>
              {{#actor}}
              <nav>
                <a href="{{base}}/console">Dashboard</a>
                <a href="{{base}}/console/transactions">Search</a>
                <a href="{{base}}/console/payment-requests">Payment requests</a>
                <a href="{{base}}/console/exceptions">Exceptions</a>
                <a href="{{base}}/console/settlement">Settlement</a>
              </nav>
              <form method="post" action="{{base}}/console/sign-out" class="sign-out">
                <input type="hidden" name="csrf" value="{{csrf}}">
                <button type="submit">Sign out ({{actor}})</button>
              </form>
              {{/actor}}
            </header>
            <main>
            <h1>{{title}}</h1>
            {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
            {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
            {{$body}}{{/body}}
            </main>
            </body>
            </html>
            """,
        "error": """
            {{<layout}}{{$body}}
            <p class="problem" role="alert">{{message}}</p>
            <p><a href="{{base}}/console">Back to the console</a></p>
            {{/body}}{{/layout}}
            """,
        "sign-in-required": """
            {{<layout}}{{$body}}
            <p class="problem" role="alert">Your session has ended, or you have not signed in yet.</p>
            <p><a href="{{base}}/console/sign-in" id="sign-in-again">Sign in</a>, then download the file again.</p>
            {{/body}}{{/layout}}
            """,
        "sign-in": """
            {{<layout}}{{$body}}
            <form method="post" action="{{base}}/console/sign-in" class="card narrow">
              <input type="hidden" name="csrf" value="{{signInToken}}">
              <label>Client id <input name="clientId" inputmode="numeric" autocomplete="username" required maxlength="16"></label>
              <label>Secret <input name="clientSecret" type="password" autocomplete="current-password" required maxlength="256"></label>
              <button type="submit" id="sign-in">Sign in</button>
            </form>
            {{/body}}{{/layout}}
            """,
        "dashboard": """
            {{<layout}}{{$body}}
            <section class="tiles">
              <div class="tile"><span class="figure" id="purchases-24h">{{purchases}}</span> purchases in 24 hours</div>
              <div class="tile"><span class="figure" id="success-rate">{{successRate}}</span> succeeded</div>
              <div class="tile"><span class="figure" id="outbox-depth">{{outboxDepth}}</span> results waiting for delivery</div>
              <div class="tile"><span class="figure">{{callbacksWaiting}}</span> notification callbacks waiting</div>
              <div class="tile"><span class="figure">{{workDue}}</span> jobs due now</div>
            </section>
            <h2>Purchases per hour (UTC)</h2>
            <table>
              <thead><tr><th>Hour</th><th>Purchases</th><th>Succeeded</th><th></th></tr></thead>
              <tbody>
              {{#hours}}<tr><td>{{hour}}</td><td>{{count}}</td><td>{{succeeded}}</td><td><meter min="0" max="{{max}}" value="{{count}}">{{count}}</meter></td></tr>{{/hours}}
              {{^hours}}<tr><td colspan="4">No purchases in the last 24 hours.</td></tr>{{/hours}}
              </tbody>
            </table>
            <h2>Vendor outcomes (24 hours)</h2>
            <table>
              <thead><tr><th>Vendor</th><th>Outcome</th><th>Purchases</th></tr></thead>
              <tbody>
              {{#vendorOutcomes}}<tr><td>{{vendor}}</td><td>{{code}}</td><td>{{count}}</td></tr>{{/vendorOutcomes}}
              {{^vendorOutcomes}}<tr><td colspan="3">No vends in the last 24 hours.</td></tr>{{/vendorOutcomes}}
              </tbody>
            </table>
            {{/body}}{{/layout}}
            """,
        "search": """
            {{<layout}}{{$body}}
            <form method="get" action="{{base}}/console/transactions" class="card search">
              <label>raasTxnRef <input name="raasTxnRef" value="{{query.raasTxnRef}}" maxlength="36"></label>
              <label>clientTxnRef <input name="clientTxnRef" value="{{query.clientTxnRef}}" maxlength="64"></label>
              <label>reserveFundsTxnRef <input name="reserveFundsTxnRef" value="{{query.reserveFundsTxnRef}}" maxlength="64"></label>
              <label>Buyer (sourceIdentifier) <input name="sourceIdentifier" value="{{query.sourceIdentifier}}" maxlength="32"></label>
              <label>Recipient (targetIdentifier) <input name="targetIdentifier" value="{{query.targetIdentifier}}" maxlength="32"></label>
              <label>Client <input name="clientId" value="{{query.clientId}}" inputmode="numeric" maxlength="5"></label>
              <label>Vendor <input name="vendorId" value="{{query.vendorId}}" inputmode="numeric" maxlength="12"></label>
              <label>Product <input name="productId" value="{{query.productId}}" inputmode="numeric" maxlength="12"></label>
              <label>Status <select name="status">
                <option value="">any</option>
                {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statuses}}
              </select></label>
              <label>From <input name="from" value="{{query.from}}" placeholder="{{fromHint}}" maxlength="40"></label>
              <label>To <input name="to" value="{{query.to}}" placeholder="{{toHint}}" maxlength="40"></label>
              <button type="submit" id="search">Search</button>
            </form>
            {{#defaultRange}}<p class="hint" id="default-range">The last 7 days, newest first. Fill in any field to narrow the search.</p>{{/defaultRange}}
            {{#searched}}
            <table id="results">
              <thead><tr><th>Created (UTC)</th><th>raasTxnRef</th><th>Client</th><th>clientTxnRef</th><th>Buyer</th><th>Recipient</th><th>Product</th><th>Amount</th><th>Status</th><th>Code</th></tr></thead>
              <tbody>
              {{#rows}}<tr><td class="time">{{createdAt}}</td><td class="ref"><a href="{{base}}/console/transactions/{{raasTxnRef}}">{{raasTxnRef}}</a></td><td>{{clientId}}</td><td>{{clientTxnRef}}</td><td>{{sourceIdentifier}}</td><td>{{targetIdentifier}}</td><td>{{productId}}</td><td class="amount">{{purchaseAmount}}</td><td class="status {{transactionStatus}}">{{transactionStatus}}</td><td>{{responseCode}}</td></tr>{{/rows}}
              {{^rows}}<tr><td colspan="10">No transactions match.</td></tr>{{/rows}}
              </tbody>
            </table>
            {{#next}}<p><a href="{{next}}" id="next-page">Next page</a></p>{{/next}}
            {{/searched}}
            {{/body}}{{/layout}}
            """,
        "transaction": """
            {{<layout}}{{$body}}
            <section class="card">
              <dl class="facts">
                {{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}
              </dl>
              {{#canResend}}
              <form method="post" action="{{base}}/console/transactions/{{raasTxnRef}}/resend" class="inline">
                <input type="hidden" name="csrf" value="{{csrf}}">
                <button type="submit" id="resend">Resend the result to the bank</button>
              </form>
              {{/canResend}}
            </section>
            <h2>Timeline</h2>
            <ol class="timeline" id="timeline">
              {{#timeline}}<li class="{{kind}}"><time>{{at}}</time> <strong>{{title}}</strong> {{detail}}</li>{{/timeline}}
            </ol>
            {{/body}}{{/layout}}
            """,
        "payment-requests": """
            {{<layout}}{{$body}}
            <form method="get" action="{{base}}/console/payment-requests" class="card search">
              <label>paymentLinkRef <input name="paymentLinkRef" value="{{query.paymentLinkRef}}" maxlength="36"></label>
              <label>Client <input name="clientId" value="{{query.clientId}}" inputmode="numeric" maxlength="5"></label>
              <label>Order number <input name="orderNumber" value="{{query.orderNumber}}" maxlength="64"></label>
              <label>Customer (to) <input name="to" value="{{query.to}}" inputmode="numeric" maxlength="15"></label>
              <button type="submit" id="search-payment-requests">Search</button>
            </form>
            <table id="payment-requests">
              <thead><tr><th>Created (UTC)</th><th>paymentLinkRef</th><th>Client</th><th>Order</th><th>Customer</th><th>Type</th><th>Total</th><th>Captured</th><th>Status</th></tr></thead>
              <tbody>
              {{#rows}}<tr><td class="time">{{createdAt}}</td><td class="ref"><a href="{{base}}/console/payment-requests/{{paymentLinkRef}}">{{paymentLinkRef}}</a></td><td>{{clientId}}</td><td>{{orderNumber}}</td><td>{{to}}</td><td>{{transactionType}}</td><td class="amount">{{totalAmount}}</td><td class="amount">{{capturedAmount}}</td><td>{{transactionStatus}}</td></tr>{{/rows}}
              {{^rows}}<tr><td colspan="9">No payment requests match.</td></tr>{{/rows}}
              </tbody>
            </table>
            {{/body}}{{/layout}}
            """,
        "payment-request": """
            {{<layout}}{{$body}}
            <section class="card">
              <dl class="facts">
                {{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}
              </dl>
            </section>
            <h2>Timeline</h2>
            <ol class="timeline" id="timeline">
              {{#timeline}}<li class="{{kind}}"><time>{{at}}</time> <strong>{{title}}</strong> {{detail}}</li>{{/timeline}}
            </ol>
            {{/body}}{{/layout}}
            """,
        "exceptions": """
            {{<layout}}{{$body}}
            <table id="exceptions">
              <thead><tr><th>Since (UTC)</th><th>Kind</th><th>Transaction</th><th>Client</th><th>What</th><th></th></tr></thead>
              <tbody>
              {{#items}}<tr><td class="time">{{since}}</td><td>{{kind}}</td><td class="ref"><a href="{{base}}/console/transactions/{{raasTxnRef}}">{{raasTxnRef}}</a></td><td>{{clientId}}</td><td>{{detail}}</td>
              <td>{{#resendable}}<form method="post" action="{{base}}/console/transactions/{{raasTxnRef}}/resend" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="exceptions"><button type="submit">Resend</button></form>{{/resendable}}</td></tr>{{/items}}
              {{^items}}<tr><td colspan="6">Nothing needs a person.</td></tr>{{/items}}
              </tbody>
            </table>
            {{/body}}{{/layout}}
            """,
        "settlement": """
            {{<layout}}{{$body}}
            <form method="get" action="{{base}}/console/settlement" class="card search">
              <label>Day (UTC) <input name="date" value="{{date}}" placeholder="2026-11-29" maxlength="10" required></label>
              <label>Client <input name="clientId" value="{{clientId}}" inputmode="numeric" maxlength="5"></label>
              <label>Vendor <input name="vendorId" value="{{vendorId}}" inputmode="numeric" maxlength="12"></label>
              <button type="submit">Show</button>
            </form>
            {{#report}}
            <p><a href="{{download}}&amp;format=csv" id="download-csv">Download CSV</a> · <a href="{{download}}&amp;format=json">Download JSON</a></p>
            <h2>Totals</h2>
            <table id="totals">
              <thead><tr><th>Currency</th><th>Purchases</th><th>Purchase amount</th><th>Fees</th><th>Reserved</th><th>Client share</th><th>Settlement</th><th>Vendor owed</th><th>Revenue</th></tr></thead>
              <tbody>
              {{#totals}}<tr><td>{{currencyCode}}</td><td>{{count}}</td><td class="amount">{{purchaseAmount}}</td><td class="amount">{{feeAmount}}</td><td class="amount">{{reserveAmount}}</td><td class="amount">{{clientShareAmount}}</td><td class="amount">{{settlementAmount}}</td><td class="amount">{{vendorOwed}}</td><td class="amount">{{revenue}}</td></tr>{{/totals}}
              {{^totals}}<tr><td colspan="9">No purchase was posted on this day.</td></tr>{{/totals}}
              </tbody>
            </table>
            <h2>Purchases</h2>
            <table>
              <thead><tr><th>Posted (UTC)</th><th>raasTxnRef</th><th>Client</th><th>Vendor</th><th>Product</th><th>Purchase</th><th>Settlement</th><th>Vendor owed</th><th>Revenue</th></tr></thead>
              <tbody>
              {{#transactions}}<tr><td class="time">{{postedAt}}</td><td class="ref"><a href="{{base}}/console/transactions/{{raasTxnRef}}">{{raasTxnRef}}</a></td><td>{{clientId}}</td><td>{{vendorId}}</td><td>{{productId}}</td><td class="amount">{{purchaseAmount}}</td><td class="amount">{{settlementAmount}}</td><td class="amount">{{vendorOwed}}</td><td class="amount">{{revenue}}</td></tr>{{/transactions}}
              </tbody>
            </table>
            {{/report}}
            {{/body}}{{/layout}}
            """,
    ]

    /// The stylesheet: readable on a phone and a desk, no framework.
    static let stylesheet = """
        :root { --ink: #1d2433; --muted: #5b6478; --line: #d8dce5; --accent: #0b5cad; --bad: #a4262c; --good: #1e7b34; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f5f6f9; }
        header { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: center; padding: .75rem 1.25rem; background: #fff; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
        nav { display: flex; flex-wrap: wrap; gap: 1rem; flex: 1; }
        nav a, a { color: var(--accent); }
        main { padding: 1rem 1.25rem 3rem; max-width: 80rem; margin: 0 auto; }
        h1 { font-size: 1.4rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
        .narrow { max-width: 24rem; }
        form.card label { display: block; margin-bottom: .6rem; color: var(--muted); font-size: .9rem; }
        form.card input, form.card select { display: block; width: 100%; padding: .45rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; color: var(--ink); }
        .search { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0 1rem; align-items: end; }
        button { padding: .45rem .9rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
        .sign-out button { background: transparent; color: var(--accent); border: 1px solid var(--line); }
        form.inline { display: inline; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); display: block; overflow-x: auto; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { white-space: nowrap; }
        td.ref { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .8rem; overflow-wrap: anywhere; min-width: 9rem; }
        td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.amount { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; }
        .hint { color: var(--muted); margin: .75rem 0; }
        th { font-size: .85rem; color: var(--muted); }
        .status.SUCCESS { color: var(--good); } .status.FAILED { color: var(--bad); }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1rem; }
        .tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; color: var(--muted); }
        .figure { display: block; font-size: 1.8rem; font-weight: 700; color: var(--ink); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
        .timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
        .timeline li { position: relative; margin: 0 0 .6rem; padding-left: 1rem; overflow-wrap: anywhere; }
        .timeline time { color: var(--muted); font-variant-numeric: tabular-nums; }
        .timeline .state strong { color: var(--accent); } .timeline .ledger strong { color: var(--good); }
        .notice { background: #e7f3ea; border: 1px solid #b7dcc0; padding: .6rem .8rem; border-radius: 4px; }
        .problem { background: #fbeaea; border: 1px solid #efc2c4; padding: .6rem .8rem; border-radius: 4px; }
        meter { width: 12rem; }
        """
}
