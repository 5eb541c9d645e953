import ServiceHTTP

/// The payment page (Mustache; every `{{value}}` is HTML-escaped): one layout and one body per stage, no script,
/// the stylesheet the only other file. Sized for a phone first; it reads the same on a desk.
enum PaymentPageTemplates {
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
            <meta name="referrer" content="no-referrer">
            <title>{{title}}</title>
            <link rel="stylesheet" href="{{base}}/pay/assets/pay.css">
            </head>
            <body>
            <main>
            {{#merchant}}<p class="merchant">{{merchant}}</p>{{/merchant}}
            <h1>{{title}}</h1>
            {{$body}}{{/body}}
            </main>
            </body>
            </html>
            """,
        "order": """
            <dl class="order">
              <dt>Order</dt><dd>{{order}}</dd>
              <dt>Subtotal</dt><dd class="amount">{{subTotal}}</dd>
              <dt>Tax</dt><dd class="amount">{{tax}}</dd>
              <dt class="total">Total</dt><dd class="amount total">{{total}}</dd>
            </dl>
            """,
        "pay": """
            {{<layout}}{{$body}}
            {{>order}}
            {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
            <form method="post" action="{{base}}/pay/{{token}}" class="card" autocomplete="off">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label>Account number or card number at your bank
                <input name="accountIdentifier" inputmode="numeric" maxlength="32" required autocomplete="off">
              </label>
              <label>Authorisation code (your bank's PIN or one-time code)
                <input name="authCode" type="password" inputmode="numeric" maxlength="12" autocomplete="one-time-code">
              </label>
              <button type="submit">Pay {{total}}</button>
            </form>
            <p class="hint">Your bank is asked to approve {{total}} for {{merchant}}. Nothing is kept of what you type here.</p>
            {{/body}}{{/layout}}
            """,
        "outcome": """
            {{<layout}}{{$body}}
            {{>order}}
            <p class="{{tone}}" role="status">{{message}}</p>
            {{/body}}{{/layout}}
            """,
        "receipt": """
            {{<layout}}{{$body}}
            {{>order}}
            <p class="good" role="status">Paid {{paid}} to {{merchant}}{{#paidAt}} on {{paidAt}}{{/paidAt}}.</p>
            {{/body}}{{/layout}}
            """,
        "not-found": """
            {{<layout}}{{$body}}
            <p class="problem">This payment link is not valid. Check the link in your message, or ask the merchant for a new one.</p>
            {{/body}}{{/layout}}
            """,
    ]

    /// Readable on a phone and a desk, no framework.
    static let stylesheet = """
        :root { --ink: #1d2433; --muted: #5b6478; --line: #d8dce5; --accent: #0b5cad; --bad: #a4262c; --good: #1e7b34; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f5f6f9; }
        main { max-width: 28rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
        .merchant { margin: 0; color: var(--muted); font-weight: 600; }
        h1 { font-size: 1.35rem; margin: .25rem 0 1rem; }
        .order { display: grid; grid-template-columns: 1fr auto; gap: .3rem 1rem; margin: 0 0 1.25rem; padding: 1rem; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        .order dt { color: var(--muted); } .order dd { margin: 0; overflow-wrap: anywhere; }
        .amount { text-align: right; font-variant-numeric: tabular-nums; }
        .total { font-weight: 700; color: var(--ink); }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
        label { display: block; margin-bottom: .9rem; color: var(--muted); font-size: .95rem; }
        input { display: block; width: 100%; margin-top: .3rem; padding: .7rem; border: 1px solid var(--line); border-radius: 6px; font: inherit; color: var(--ink); }
        button { width: 100%; padding: .8rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
        .hint { color: var(--muted); font-size: .9rem; }
        .good { background: #e7f3ea; border: 1px solid #b7dcc0; padding: .8rem; border-radius: 6px; }
        .problem { background: #fbeaea; border: 1px solid #efc2c4; padding: .8rem; border-radius: 6px; }
        .waiting { background: #fff8e5; border: 1px solid #f0dca6; padding: .8rem; border-radius: 6px; }
        """
}
