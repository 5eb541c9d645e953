/// A seed file as read and validated (the format of `seed-example.yaml`, API.md §2). Secrets are in clear here,
/// exactly as the file gives them; `SeedLoader` hashes or seals them before anything is stored.
public struct SeedDocument: Sendable, Equatable {
    public var countries: [Country] = []
    public var mnoPrefixes: [MNOPrefix] = []
    public var productTypes: [ProductType] = []
    public var vendors: [Vendor] = []
    public var products: [Product] = []
    public var fundingSources: [FundingSource] = []
    public var clients: [Client] = []
    public var financialTerms: [FinancialTerms] = []
    public var blacklist: [String] = []
    public var integrations: [Integration] = []

    public init() {}

    public struct Country: Sendable, Equatable {
        public var countryCode: String
        public var countryName: String
        public var dialingPrefix: String
    }

    public struct MNOPrefix: Sendable, Equatable {
        public var countryCallingCode: String
        public var prefix: String
        public var operatorCode: String
        public var operatorName: String
    }

    public struct ProductType: Sendable, Equatable {
        public var productTypeId: Int64
        public var productTypeName: String
    }

    /// Credentials the service presents to a bank or vendor.
    public enum OutboundAuth: Sendable, Equatable {
        case none
        case basic(username: String, password: String)
        case bearer(token: String)
    }

    /// A ledger account opened with a balance (a vendor's prepaid float, a client's messaging credit).
    public struct OpeningBalance: Sendable, Equatable {
        public var currencyCode: String
        public var openingBalance: Int64
    }

    public struct Vendor: Sendable, Equatable {
        public var vendorId: Int64
        public var name: String
        public var adapter: String
        public var url: String?
        public var auth: OutboundAuth
        public var signatureRequired: Bool
        public var signatureSecret: String?
        public var vendTimeoutMs: Int64
        public var maxAttempts: Int64
        public var floatAccount: OpeningBalance?
        public var active: Bool
    }

    public enum Pricing: Sendable, Equatable {
        case fixed(Int64)
        case range(min: Int64, max: Int64, increment: Int64)
    }

    public struct Product: Sendable, Equatable {
        public var productId: Int64
        public var productTypeId: Int64
        public var vendorId: Int64
        public var description: String
        public var shortDescription: String
        public var currencyCode: String
        public var pricing: Pricing
        public var targetIdentifierKind: String
        public var supportsToken: Bool
        public var supportsAccountValidation: Bool
        public var active: Bool
        public var channels: [Int64]?
    }

    public struct FundingSource: Sendable, Equatable {
        public var fundingSourceId: Int64
        public var name: String
        public var adapter: String
        public var reserveFundsUrl: String?
        public var transactResultUrl: String?
        public var statusLookupUrl: String?
        public var auth: OutboundAuth
        public var signatureRequired: Bool
        public var signatureSecret: String?
        public var reservationTimeoutMs: Int64
        public var initialRetryDelayMs: Int64
        public var retryDelayMs: Int64
        public var maxRetries: Int64
        public var confirmationWindowSeconds: Int64
    }

    public struct Client: Sendable, Equatable {
        public var clientId: Int64
        public var name: String
        public var role: String
        public var status: String
        public var clientSecret: String?
        public var apiKey: String?
        public var signatureRequired: Bool
        public var signatureSecret: String?
        public var vendorId: Int64?
        public var fundingSources: [Int64]
        /// The funding source of purchase API versions that name none (API.md §3.2a); one of `fundingSources`.
        public var defaultFundingSourceId: Int64?
        public var products: [Int64]
        public var transactResultUrl: String?
        public var rateLimitPerSecond: Int64
        public var notificationChannels: [Int64]
        public var notificationCallbackUrl: String?
        public var notificationDailyLimit: Int64?
        public var notificationMonthlyLimit: Int64?
        /// Minor units per message, by channelId.
        public var messagePrices: [String: Int64]
        public var messagingCredit: OpeningBalance?
        public var autoNotifyTokens: Bool
        /// Chat 2 Pay (API.md §12); nil: the client takes no payments by chat.
        public var chat2Pay: Chat2Pay?
    }

    /// A client's Chat 2 Pay settings: its name on the payment page, where its status callbacks go, and how long a
    /// link (unopened) and a page (once opened) stay valid.
    public struct Chat2Pay: Sendable, Equatable {
        public var merchantName: String
        public var callbackUrl: String?
        public var linkTtlSeconds: Int64
        public var pageTtlSeconds: Int64
    }

    /// A client's integration with the One API (API.md §13): its own key, the channels it sends on, and where its
    /// status changes and its customers' replies are pushed.
    public struct Integration: Sendable, Equatable {
        public var integrationId: Int64
        public var clientId: Int64
        public var name: String
        public var apiKey: String
        /// 6 SMS, 8 WhatsApp.
        public var channels: [Int64]
        public var statusCallbackUrl: String?
        public var replyCallbackUrl: String?
        public var status: String
    }

    public struct FinancialTerms: Sendable, Equatable {
        public var clientId: Int64
        public var productId: Int64
        public var effectiveFrom: String?
        public var feeFixed: Int64
        public var feeBps: Int64
        public var feeMin: Int64?
        public var feeMax: Int64?
        public var clientShareBps: Int64
        public var vendorShareBps: Int64
    }
}
