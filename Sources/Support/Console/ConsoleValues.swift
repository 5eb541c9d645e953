import Foundation
import TransactCore

/// The support API's values as the console's pages show them to a person: amounts in major units with their
/// currency (`ZAR 100.00`), a missing value as a dash, never a program's placeholder (`nil`, `<null>`). Downloads
/// are the API's own files and keep minor units.
enum ConsoleValues {
    /// What a page shows where a value is missing.
    static let missing = "–"

    /// The fields of the support API's rows and stories that hold amounts in minor units.
    static let amountFields: Set<String> = [
        "purchaseAmount", "feeAmount", "reserveAmount", "vendAmount", "clientShareAmount", "vendorShareAmount",
        "settlementAmount", "vendorOwed", "revenue", "totalAmount", "capturedAmount", "subTotalAmount", "taxAmount",
        "authorizedAmount",
    ]

    /// An API row (search, exceptions, settlement) as a template reads it: each amount formatted in the row's
    /// `currencyCode`, each null a dash.
    static func row(_ value: some Encodable) -> [String: Any] {
        guard let data = try? JSONEncoder().encode(value),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return row(object)
    }

    static func row(_ object: [String: Any]) -> [String: Any] {
        let currency = object["currencyCode"] as? String
        var values: [String: Any] = [:]
        for (key, value) in object {
            if amountFields.contains(key), let minor = value as? NSNumber, let currency {
                values[key] = money(minor.int64Value, currency)
            } else if value is NSNull {
                values[key] = missing
            } else {
                values[key] = value
            }
        }
        return values
    }

    /// `minor` units of `currency` as people read them; the digits and the code as given when the code is not one.
    static func money(_ minor: Int64, _ currency: String) -> String {
        guard let code = CurrencyCode(currency) else { return "\(minor) \(currency)" }
        return MinorAmount(minor).formatted(in: code)
    }

    /// A JSON value as text; "" for a missing one (the caller decides whether to show a dash or leave it out).
    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let number as NSNumber: number.stringValue
        case let string as String: string
        default: "\(value!)"
        }
    }
}
