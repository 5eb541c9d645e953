import Foundation

/// A payment request's story (`chat2pay.story`) as the console shows it: the facts that identify it, and one
/// timeline, in time order, of its status changes, the deliveries owed for it (the bank's result, the merchant's
/// callbacks, the purchase its product was bought with), the messages sent and the money moved.
struct ConsolePaymentRequest {
    let values: [String: Any]

    init(json: String) {
        let story = (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
        let text = ConsoleValues.text
        let currency = text(story["currency"])
        func money(_ value: Any?) -> String {
            guard let minor = value as? NSNumber else { return text(value) }
            return ConsoleValues.money(minor.int64Value, currency)
        }
        let factNames: [(String, String)] = [
            ("paymentLinkRef", "paymentLinkRef"), ("orderNumber", "Order number"), ("clientId", "Client"),
            ("merchantName", "Merchant"), ("transactionStatus", "Status"), ("transactionType", "Type"), ("channel", "Channel"),
            ("to", "Customer"), ("fundingSourceId", "Funding source"), ("subTotalAmount", "Subtotal"), ("taxAmount", "Tax"),
            ("totalAmount", "Total"), ("authorizedAmount", "Authorised"), ("capturedAmount", "Captured"),
            ("bankResponseCode", "Bank code"), ("bankResponseMessage", "Bank message"), ("productId", "Product"),
            ("targetIdentifier", "Product's recipient"), ("linkExpiresAt", "Link expires"), ("pageExpiresAt", "Page expires"),
            ("captureDeadline", "Capture by"), ("createdAt", "Created"),
        ]
        var facts: [[String: String]] = factNames.compactMap { key, name in
            let value = ConsoleValues.amountFields.contains(key) ? money(story[key]) : text(story[key])
            return value.isEmpty ? nil : ["name": name, "value": value]
        }
        if let purchase = story["purchase"] as? [String: Any] {
            let reference = text(purchase["raasTxnRef"])
            let value = reference.isEmpty ? "refused: " + text(purchase["refusal"]) : reference + " " + text(purchase["transactionStatus"])
            facts.append(["name": "Purchase", "value": value])
        }

        var timeline: [[String: String]] = []
        func add(_ at: Any?, _ kind: String, _ title: String, _ detail: String) {
            timeline.append(["at": text(at), "kind": kind, "title": title, "detail": detail])
        }
        for change in story["history"] as? [[String: Any]] ?? [] {
            add(change["timestamp"], "state", text(change["transactionStatus"]), text(change["cause"]))
        }
        for delivery in story["deliveries"] as? [[String: Any]] ?? [] {
            let kind = text(delivery["kind"])
            let title = switch kind {
            case "bank_result": "transactResult to the bank"
            case "callback": "callback to the merchant"
            default: "purchase of the product"
            }
            let outcome = text(delivery["lastOutcome"])
            add(delivery["createdAt"], "delivery", title,
                "\(text(delivery["status"])) after \(text(delivery["attempts"])) attempt(s)" + (outcome.isEmpty ? "" : ": \(outcome)"))
        }
        for message in story["messages"] as? [[String: Any]] ?? [] {
            add(message["createdAt"], "message", "message \(text(message["clientNotificationRef"]))",
                "channel \(text(message["channelId"])), status \(text(message["statusCode"]))")
        }
        for transfer in story["ledger"] as? [[String: Any]] ?? [] {
            add(transfer["createdAt"], "ledger", "ledger \(text(transfer["kind"]))", money(transfer["moved"]))
        }
        timeline.sort { ($0["at"] ?? "") < ($1["at"] ?? "") }
        values = ["facts": facts, "timeline": timeline]
    }
}
