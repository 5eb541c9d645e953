import ArgumentParser
import Hummingbird
import Logging
import Simulators

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the simulated bank or vendor of API.md §5.3 over HTTP.", subcommands: [Bank.self, Vendor.self])

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

    static func serve(_ router: Router<BasicRequestContext>, host: String, port: Int, name: String) async throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        let logger = CommandLogging.bootstrap(level: .info)
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "transact-simulated-\(name)"),
            logger: logger)
        try await application.runService()
    }
}
