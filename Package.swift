// swift-tools-version: 6.2
import PackageDescription

/// Swift 6 language mode with strict concurrency; warnings are errors in every target of ours (not in dependencies).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "transact",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "transact", targets: ["transact"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Traces (issue 16): the tracing API everywhere, swift-otel's OTLP/HTTP exporter only where serve starts it.
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // Tests only: an independent Ed25519 implementation to check our tokens against.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // System libraries (DESIGN.md §2): libpq and OpenSSL from Debian's -dev packages.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Infrastructure.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "TransactCrypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        // What the process tells its operators: the log's JSON lines, the outbound calls' spans and latencies, and
        // the W3C trace context that goes out with each call and is stored with each purchase and message.
        .target(
            name: "Observability",
            dependencies: [
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // Migrations/ and openapi.yaml built into the binary (BuiltInFilesPlugin), so `transact` works from any folder.
        .executableTarget(name: "BuiltInFilesGenerator", swiftSettings: swiftSettings),
        .plugin(name: "BuiltInFilesPlugin", capability: .buildTool(), dependencies: ["BuiltInFilesGenerator"]),
        .target(name: "BuiltInFiles", swiftSettings: swiftSettings, plugins: ["BuiltInFilesPlugin"]),
        // Generic runtime pieces on top of the client: the durable-work loop, write batching, a short-lived cache.
        .target(
            name: "Runtime",
            dependencies: [
                "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Calls to other parties over HTTP: auth, Signature, timeouts, bounded answers; clients' own endpoints.
        .target(
            name: "OutboundHTTP",
            dependencies: [
                "Postgres", "Runtime", "TransactCrypto", "Observability",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DatabaseMigrations",
            dependencies: ["Postgres", "TransactCrypto", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "Ledger", dependencies: ["Postgres", "Runtime"], swiftSettings: swiftSettings),
        .target(name: "TransactCore", dependencies: ["Postgres", "TransactCrypto"], swiftSettings: swiftSettings),
        .target(
            name: "ServiceHTTP",
            dependencies: [
                "Postgres", "TransactCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SecurityService",
            dependencies: [
                "TransactCrypto", "TransactCore", "Postgres", "Runtime", "ServiceHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BankInterfaces",
            dependencies: [
                "TransactCrypto", "Postgres", "Runtime", "OutboundHTTP", "TransactCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Vendors",
            dependencies: [
                "TransactCrypto", "TransactCore", "Postgres", "Runtime", "Observability",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Simulators",
            dependencies: [
                "BankInterfaces", "Vendors", "Notifications", "OutboundHTTP", "TransactCore", "TransactCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FinancialTerms",
            dependencies: ["Postgres", "ServiceHTTP", "TransactCore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        // Lookups (API.md §6): one module each.
        .target(
            name: "InFlightCheck",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Observability", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TransactionLookup",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Observability", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "UserTransactionLookup",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Observability", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TokenLookup",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Observability", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProductLookup",
            dependencies: ["ServiceHTTP", "TransactCore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MNOLookup",
            dependencies: ["ServiceHTTP", "TransactCore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccountValidation",
            dependencies: ["ServiceHTTP", "TransactCore", "Vendors", "Observability", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        // Notifications (API.md §7).
        .target(
            name: "Notifications",
            dependencies: [
                "Postgres", "Runtime", "ServiceHTTP", "TransactCore", "TransactCrypto", "OutboundHTTP", "Observability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Chat 2 Pay (API.md §12): payment requests sent over chat, paid on a hosted page through the bank interfaces.
        .target(
            name: "Chat2Pay",
            dependencies: [
                "Postgres", "Runtime", "ServiceHTTP", "TransactCore", "TransactCrypto", "OutboundHTTP", "Observability",
                "BankInterfaces", "Purchases",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Support (API.md §8): the support API, reports and the web console.
        .target(
            name: "Support",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "TransactCrypto", "SecurityService",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // Retention: the history's month partitions made ahead of time, and `transact archive`.
        .target(
            name: "Retention",
            dependencies: [
                "Postgres", "TransactCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Purchases (API.md §3–§5): one home for intake, the store, the batched steps, the answers and the workers;
        // the design card's purchase modules are thin faces on it.
        .target(
            name: "Purchases",
            dependencies: [
                "Postgres", "Runtime", "TransactCore", "TransactCrypto", "ServiceHTTP", "BankInterfaces", "Vendors",
                "OutboundHTTP", "Observability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReserveAndTransact",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Purchases", "BankInterfaces", "Runtime", "Observability",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Transact",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Purchases", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TransactResult",
            dependencies: [
                "Postgres", "ServiceHTTP", "TransactCore", "Purchases", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Seeding",
            dependencies: ["Postgres", "Ledger", "SecurityService", "TransactCrypto", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // Composition and the executable.
        .target(
            name: "Server",
            dependencies: [
                "Postgres", "DatabaseMigrations", "BuiltInFiles", "Ledger", "Runtime", "TransactCore", "ServiceHTTP", "SecurityService",
                "TransactCrypto", "FinancialTerms", "BankInterfaces", "Vendors", "OutboundHTTP", "Purchases", "ReserveAndTransact", "Transact",
                "TransactResult",
                "InFlightCheck", "TransactionLookup", "UserTransactionLookup", "TokenLookup", "ProductLookup", "MNOLookup",
                "AccountValidation", "Notifications", "Support", "Retention", "Observability", "Chat2Pay",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "transact",
            dependencies: [
                "Server", "Chat2Pay", "Postgres", "DatabaseMigrations", "TransactCrypto", "Seeding", "SecurityService", "Ledger",
                "Simulators", "TransactCore", "Purchases", "Notifications", "Support", "Retention", "Observability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks (not part of the test run): `scripts/bench`.
        .executableTarget(
            name: "transact-bench",
            dependencies: [
                "Postgres", "Ledger", "DatabaseMigrations",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/transact-bench",
            swiftSettings: swiftSettings
        ),

        // Tests: one target per module with logic; all talk to a real PostgreSQL (scripts/test).
        .target(
            name: "TestSupport",
            dependencies: ["Postgres", "DatabaseMigrations", "TransactCrypto"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TransactCryptoTests", dependencies: ["TransactCrypto"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: ["Observability", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DatabaseMigrationsTests",
            dependencies: ["DatabaseMigrations", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Postgres", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TransactCoreTests", dependencies: ["TransactCore", "Postgres", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PurchasesTests",
            dependencies: [
                "Purchases", "TransactCore", "Postgres", "TestSupport", "Vendors", "BankInterfaces", "Runtime",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SecurityServiceTests",
            dependencies: [
                "SecurityService", "ServiceHTTP", "TransactCrypto", "Postgres", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BankInterfacesTests",
            dependencies: [
                "BankInterfaces", "Simulators", "TransactCrypto", "Seeding", "SecurityService", "Postgres", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VendorsTests",
            dependencies: [
                "Vendors", "Simulators", "TransactCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimulatorsTests",
            dependencies: [
                "Simulators", "BankInterfaces", "Vendors",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FinancialTermsTests",
            dependencies: [
                "FinancialTerms", "ServiceHTTP", "SecurityService", "Seeding", "Postgres", "TestSupport", "TransactCrypto",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PurchaseFlowTests",
            dependencies: [
                "Server", "Simulators", "Support", "BankInterfaces", "Vendors", "OutboundHTTP", "Purchases", "TransactCore", "Seeding",
                "SecurityService", "ServiceHTTP", "Chat2Pay",
                "Postgres", "Ledger", "TestSupport", "TransactCrypto", "transact",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LookupTests",
            dependencies: [
                "Server", "ServiceHTTP", "SecurityService", "Seeding", "Simulators", "TransactCore", "Postgres", "TestSupport", "DatabaseMigrations",
                "TransactCrypto", "InFlightCheck", "TransactionLookup", "UserTransactionLookup", "TokenLookup", "Support",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "Server", "ServiceHTTP", "SecurityService", "Seeding", "Simulators", "TransactCore", "Postgres",
                "TestSupport", "TransactCrypto", "OutboundHTTP", "Ledger", "transact",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SeedingTests",
            dependencies: ["Seeding", "SecurityService", "TransactCrypto", "Ledger", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "ServiceHTTP", "Postgres", "TestSupport", "transact", "TransactCrypto", "Notifications", "Support",
                "SecurityService",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
