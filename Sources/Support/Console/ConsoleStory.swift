import Foundation

/// A transaction's story (`TransactionStory`) as the console shows it: the facts that identify it, and one timeline
/// of everything that happened to it, in time order: states entered, calls made, money moved, results delivered,
/// notifications sent.
struct ConsoleStory {
    let values: [String: Any]

    init(json: String) {
        let story = (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
        let transaction = story["transaction"] as? [String: Any] ?? [:]
        let text = ConsoleValues.text
        let currency = text(transaction["currencyCode"])
        // An amount of the transaction's currency as people read it.
        func money(_ value: Any?) -> String {
            guard let minor = value as? NSNumber else { return text(value) }
            return ConsoleValues.money(minor.int64Value, currency)
        }
        let factNames: [(String, String)] = [
            ("raasTxnRef", "raasTxnRef"), ("clientTxnRef", "clientTxnRef"), ("clientId", "Client"), ("flow", "Flow"),
            ("transactionStatus", "Status"), ("state", "State"), ("transactResultResponseCode", "Result code"),
            ("transactResultResponseMessage", "Result message"), ("productId", "Product"), ("vendorId", "Vendor"),
            ("fundingSourceId", "Funding source"), ("sourceIdentifier", "Buyer"), ("targetIdentifier", "Recipient"),
            ("currencyCode", "Currency"), ("purchaseAmount", "Purchase amount"), ("feeAmount", "Fee"),
            ("reserveAmount", "Reserved"), ("settlementAmount", "Settlement"), ("reserveFundsTxnRef", "Bank reference"),
            ("token", "Token"), ("vendedReference", "Vended under"), ("createdAt", "Created"), ("finalAt", "Final"),
        ]
        let facts: [[String: String]] = factNames.compactMap { key, name in
            let value = ConsoleValues.amountFields.contains(key) ? money(transaction[key]) : text(transaction[key])
            return value.isEmpty ? nil : ["name": name, "value": value]
        }

        var timeline: [[String: String]] = []
        func add(_ at: Any?, _ kind: String, _ title: String, _ detail: String) {
            timeline.append(["at": text(at), "kind": kind, "title": title, "detail": detail])
        }
        for change in story["stateChanges"] as? [[String: Any]] ?? [] {
            let code = text(change["responseCode"])
            add(change["at"], "state", text(change["state"]), text(change["cause"]) + (code.isEmpty ? "" : " (\(code))"))
        }
        for call in story["calls"] as? [[String: Any]] ?? [] {
            let latency = text(call["latencyMs"])
            add(call["at"], "call", "\(text(call["party"])) \(text(call["operation"]))",
                text(call["outcome"]) + (latency.isEmpty ? "" : ", \(latency) ms"))
        }
        for transfer in story["ledgerTransfers"] as? [[String: Any]] ?? [] {
            let postings = (transfer["postings"] as? [[String: Any]] ?? []).map { "\(text($0["account"])) \(money($0["amount"]))" }
            add(transfer["at"], "ledger", "ledger \(text(transfer["kind"]))", postings.joined(separator: "; "))
        }
        if let delivery = story["resultDelivery"] as? [String: Any] {
            add(delivery["lastAttemptAt"] ?? delivery["firstAttemptAt"], "delivery", "result \(text(delivery["status"]))",
                "\(text(delivery["attempts"])) attempt(s) to the \(text(delivery["recipient"]) == "client" ? "client" : "bank")"
                    + (text(delivery["lastOutcome"]).isEmpty ? "" : ": \(text(delivery["lastOutcome"]))"))
        }
        for conflict in story["vendorConflicts"] as? [[String: Any]] ?? [] {
            add(conflict["at"], "conflict", "vendor conflict",
                "\(text(conflict["vendReference"])) confirmed \(text(conflict["responseCode"])) \(text(conflict["responseMessage"]))")
        }
        for message in story["notifications"] as? [[String: Any]] ?? [] {
            add(message["createdAt"], "notification", "notification to \(text(message["destinationIdentifier"]))",
                "status \(text(message["statusCode"]))")
        }
        timeline.sort { ($0["at"] ?? "") < ($1["at"] ?? "") }
        values = [
            "raasTxnRef": text(transaction["raasTxnRef"]), "facts": facts, "timeline": timeline,
            "canResend": story["resultDelivery"] is [String: Any],
        ]
    }
}
