import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Simulators

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the simulated bank or vendor of API.md §5.3, or a messaging gateway (§7), over HTTP.",
        subcommands: [Bank.self, Vendor.self, Gateway.self])

    struct Bank: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST /reserveFunds, POST /transactResult, GET /statusLookup and GET /holds.")
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on.") var port: Int

        func run() async throws {
            let router = Router()
            BankSimulatorRoutes().add(to: router)
            try await Simulate.serve(router, host: host, port: port, name: "bank")
        }
    }

    struct Vendor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "POST /vend and GET /status.")
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on.") var port: Int

        func run() async throws {
            let router = Router()
            VendorSimulatorRoutes().add(to: router)
            try await Simulate.serve(router, host: host, port: port, name: "vendor")
        }
    }

    struct Gateway: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST /messages (signed), answered at once; delivery receipts posted to --receipts-url.",
            discussion: "The gateway secret is TRANSACT_NOTIFICATIONS_GATEWAY_SECRET, as for `transact serve`.")
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on.") var port: Int
        @Option(help: "Where delivery receipts go: the service's POST /notification/1.0/receipts.") var receiptsUrl: String?

        func run() async throws {
            guard let secret = ProcessInfo.processInfo.environment["TRANSACT_NOTIFICATIONS_GATEWAY_SECRET"], !secret.isEmpty else {
                throw ValidationError("TRANSACT_NOTIFICATIONS_GATEWAY_SECRET must be set: messages and receipts are signed with it")
            }
            let router = Router()
            GatewaySimulatorRoutes(receiptsURL: receiptsUrl, secret: secret).add(to: router)
            try await Simulate.serve(router, host: host, port: port, name: "gateway")
        }
    }

    static func serve(_ router: Router<BasicRequestContext>, host: String, port: Int, name: String) async throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        let logger = CommandLogging.bootstrap(level: .info)
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "transact-simulated-\(name)"),
            logger: logger)
        try await application.runService()
    }
}
