import Foundation
public import Postgres

/// The daily settlement file (API.md §8): every purchase whose ledger transfer was posted on the day (UTC), with its
/// breakdown, and the totals per currency; then every Chat 2 Pay payment captured on the day (§12: what the funding
/// source owes the merchant), with its totals per currency (none when the file is a vendor's). `transact report
/// settlement` and `GET /support/reports/settlement` write the same file, as CSV or JSON.
public struct SettlementReport: Sendable, Encodable {
    public let date: String
    public let clientId: Int64?
    public let vendorId: Int64?
    public let transactions: [Line]
    public let totals: [Total]
    public let chat2PayPayments: [Payment]
    public let chat2PayTotals: [PaymentTotal]

    /// A Chat 2 Pay payment captured on the day.
    public struct Payment: Sendable, Encodable {
        public let paymentLinkRef: String
        public let orderNumber: String
        public let clientId: Int64
        public let fundingSourceId: Int64
        public let productId: Int64?
        public let currencyCode: String
        public let totalAmount: Int64
        /// What the funding source debits the customer, and owes the merchant.
        public let capturedAmount: Int64
        public let postedAt: String
    }

    public struct PaymentTotal: Sendable, Encodable, Equatable {
        public let currencyCode: String
        public var count: Int
        public var capturedAmount: Int64
    }

    public struct Line: Sendable, Encodable {
        public let raasTxnRef: String
        public let clientTxnRef: String
        public let clientId: Int64
        public let vendorId: Int64
        public let productId: Int64
        public let currencyCode: String
        public let purchaseAmount: Int64
        public let feeAmount: Int64
        public let reserveAmount: Int64
        public let clientShareAmount: Int64
        public let vendorShareAmount: Int64
        public let settlementAmount: Int64
        /// What the vendor is owed for it (vendAmount − vendorShareAmount): drawn from its prepaid float.
        public let vendorOwed: Int64
        /// What the service earns on it (settlementAmount − vendorOwed).
        public let revenue: Int64
        public let postedAt: String
    }

    public struct Total: Sendable, Encodable, Equatable {
        public let currencyCode: String
        public var count: Int
        public var purchaseAmount: Int64
        public var feeAmount: Int64
        public var reserveAmount: Int64
        public var clientShareAmount: Int64
        public var vendorShareAmount: Int64
        public var settlementAmount: Int64
        public var vendorOwed: Int64
        public var revenue: Int64
    }

    public static func make(
        date: ReportDate, clientId: Int64?, vendorId: Int64?, on database: any PostgresQueryable
    ) async throws -> SettlementReport {
        let lines = try await database.read("""
            SELECT s.*, purchases.api_time(s.posted_at) AS posted
            FROM support.settlement(\(date.text)::date, \(clientId)::bigint, \(vendorId)::bigint) s
            """).map { row in
            Line(
                raasTxnRef: try row.decode(UUID.self, "raas_txn_ref").uuidString.lowercased(),
                clientTxnRef: try row.decode(String.self, "client_txn_ref"), clientId: try row.decode(Int64.self, "client_id"),
                vendorId: try row.decode(Int64.self, "vendor_id"), productId: try row.decode(Int64.self, "product_id"),
                currencyCode: try row.decode(String.self, "currency_code"),
                purchaseAmount: try row.decode(Int64.self, "purchase_amount"), feeAmount: try row.decode(Int64.self, "fee_amount"),
                reserveAmount: try row.decode(Int64.self, "reserve_amount"),
                clientShareAmount: try row.decode(Int64.self, "client_share_amount"),
                vendorShareAmount: try row.decode(Int64.self, "vendor_share_amount"),
                settlementAmount: try row.decode(Int64.self, "settlement_amount"),
                vendorOwed: try row.decode(Int64.self, "vendor_owed"), revenue: try row.decode(Int64.self, "revenue"),
                postedAt: try row.decode(String.self, "posted"))
        }
        var totals: [String: Total] = [:]
        for line in lines {
            var total = totals[line.currencyCode] ?? Total(
                currencyCode: line.currencyCode, count: 0, purchaseAmount: 0, feeAmount: 0, reserveAmount: 0,
                clientShareAmount: 0, vendorShareAmount: 0, settlementAmount: 0, vendorOwed: 0, revenue: 0)
            total.count += 1
            total.purchaseAmount += line.purchaseAmount
            total.feeAmount += line.feeAmount
            total.reserveAmount += line.reserveAmount
            total.clientShareAmount += line.clientShareAmount
            total.vendorShareAmount += line.vendorShareAmount
            total.settlementAmount += line.settlementAmount
            total.vendorOwed += line.vendorOwed
            total.revenue += line.revenue
            totals[line.currencyCode] = total
        }
        // A vendor's file holds its purchases only: a payment by chat has no vendor.
        let payments = vendorId != nil ? [] : try await database.read("""
            SELECT s.*, purchases.api_time(s.posted_at) AS posted
            FROM chat2pay.settlement(\(date.text)::date, \(clientId)::bigint) s
            """).map { row in
            Payment(
                paymentLinkRef: try row.decode(UUID.self, "payment_link_ref").uuidString.lowercased(),
                orderNumber: try row.decode(String.self, "order_number"), clientId: try row.decode(Int64.self, "client_id"),
                fundingSourceId: try row.decode(Int64.self, "funding_source_id"), productId: try row.decode(Int64?.self, "product_id"),
                currencyCode: try row.decode(String.self, "currency_code"), totalAmount: try row.decode(Int64.self, "total_amount"),
                capturedAmount: try row.decode(Int64.self, "captured_amount"), postedAt: try row.decode(String.self, "posted"))
        }
        var paymentTotals: [String: PaymentTotal] = [:]
        for payment in payments {
            var total = paymentTotals[payment.currencyCode] ?? PaymentTotal(currencyCode: payment.currencyCode, count: 0, capturedAmount: 0)
            total.count += 1
            total.capturedAmount += payment.capturedAmount
            paymentTotals[payment.currencyCode] = total
        }
        return SettlementReport(
            date: date.text, clientId: clientId, vendorId: vendorId, transactions: lines,
            totals: totals.values.sorted { $0.currencyCode < $1.currencyCode }, chat2PayPayments: payments,
            chat2PayTotals: paymentTotals.values.sorted { $0.currencyCode < $1.currencyCode })
    }

    static let columns = [
        "recordType", "raasTxnRef", "clientTxnRef", "clientId", "vendorId", "productId", "currencyCode", "count",
        "purchaseAmount", "feeAmount", "reserveAmount", "clientShareAmount", "vendorShareAmount", "settlementAmount",
        "vendorOwed", "revenue", "postedAt",
    ]

    /// The file as CSV (RFC 4180): a header, a `transaction` record per purchase, then a `total` record per currency;
    /// then a `chat2pay_payment` record per payment by chat (its paymentLinkRef and orderNumber in the reference
    /// columns, what was captured as its purchase and settlement amounts) and a `chat2pay_total` record per currency.
    public var csv: String {
        var text = Self.columns.joined(separator: ",") + "\r\n"
        for line in transactions {
            text += [
                "transaction", line.raasTxnRef, Self.field(line.clientTxnRef), "\(line.clientId)", "\(line.vendorId)",
                "\(line.productId)", line.currencyCode, "1", "\(line.purchaseAmount)", "\(line.feeAmount)",
                "\(line.reserveAmount)", "\(line.clientShareAmount)", "\(line.vendorShareAmount)",
                "\(line.settlementAmount)", "\(line.vendorOwed)", "\(line.revenue)", line.postedAt,
            ].joined(separator: ",") + "\r\n"
        }
        for total in totals {
            text += [
                "total", "", "", clientId.map(String.init) ?? "", vendorId.map(String.init) ?? "", "", total.currencyCode,
                "\(total.count)", "\(total.purchaseAmount)", "\(total.feeAmount)", "\(total.reserveAmount)",
                "\(total.clientShareAmount)", "\(total.vendorShareAmount)", "\(total.settlementAmount)",
                "\(total.vendorOwed)", "\(total.revenue)", "",
            ].joined(separator: ",") + "\r\n"
        }
        for payment in chat2PayPayments {
            text += [
                "chat2pay_payment", payment.paymentLinkRef, Self.field(payment.orderNumber), "\(payment.clientId)", "",
                payment.productId.map(String.init) ?? "", payment.currencyCode, "1", "\(payment.capturedAmount)", "0",
                "\(payment.totalAmount)", "0", "0", "\(payment.capturedAmount)", "0", "0", payment.postedAt,
            ].joined(separator: ",") + "\r\n"
        }
        for total in chat2PayTotals {
            text += [
                "chat2pay_total", "", "", clientId.map(String.init) ?? "", "", "", total.currencyCode, "\(total.count)",
                "\(total.capturedAmount)", "0", "", "0", "0", "\(total.capturedAmount)", "0", "0", "",
            ].joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// A client's reference may hold anything but NUL: quoted when it holds a comma, a quote or a line break, and
    /// never left to start with a character a spreadsheet would run as a formula.
    static func field(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The file as JSON (sorted keys; nulls written out).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey { case date, clientId, vendorId, transactions, totals, chat2PayPayments, chat2PayTotals }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(date, forKey: .date)
        try container.encode(clientId, forKey: .clientId)
        try container.encode(vendorId, forKey: .vendorId)
        try container.encode(transactions, forKey: .transactions)
        try container.encode(totals, forKey: .totals)
        try container.encode(chat2PayPayments, forKey: .chat2PayPayments)
        try container.encode(chat2PayTotals, forKey: .chat2PayTotals)
    }
}
