import ArgumentParser
import SecurityService

/// `transact integrations add|rotate-key|disable` (API.md §11, §13): the One API's credentials, one per client
/// integration. A new key is printed once; every change is written to the audit log in its transaction.
struct Integrations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Onboard One API integrations and rotate their keys. New keys are printed once.",
        subcommands: [Add.self, RotateKey.self, Disable.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an integration of a client.")
        @OptionGroup var options: CommonOptions
        @Option(help: "The numeric integration id (1-999999999999).") var integrationId: Int64
        @Option(help: "The client it sends for.") var clientId: Int64
        @Option(help: "Its name (shown in its callbacks).") var name: String
        @Option(help: "The channels it may send on: sms, whatsapp, or both (comma separated).") var channels = "sms"
        @Option(help: "Where its messages' status changes are pushed.") var statusCallbackUrl: String?
        @Option(help: "Where its customers' replies are pushed.") var replyCallbackUrl: String?

        var channelIds: [Int64] {
            channels.split(separator: ",").map { $0 == "whatsapp" ? 8 : 6 }
        }

        func validate() throws {
            guard (1...999_999_999_999).contains(integrationId) else { throw ValidationError("--integration-id must be 1...999999999999") }
            guard (1...99_999).contains(clientId) else { throw ValidationError("--client-id must be 1...99999") }
            guard !name.isEmpty, name.count <= 100 else { throw ValidationError("--name must be 1 to 100 characters") }
            let names = channels.split(separator: ",").map(String.init)
            guard !names.isEmpty, names.allSatisfy(["sms", "whatsapp"].contains), Set(names).count == names.count else {
                throw ValidationError("--channels must be sms, whatsapp or sms,whatsapp")
            }
            for (flag, url) in [("--status-callback-url", statusCallbackUrl), ("--reply-callback-url", replyCallbackUrl)] {
                if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.count > 2_048 {
                    throw ValidationError("\(flag) must be an http(s) URL of at most 2048 characters")
                }
            }
        }

        func run() async throws {
            let key = try await options.withAuditedTransaction(command: "integrations add") { session, audit, _ in
                let key = try await IntegrationAdministration(database: session).add(
                    integrationId: integrationId, clientId: clientId, name: name, channels: channelIds,
                    statusCallbackURL: statusCallbackUrl, replyCallbackURL: replyCallbackUrl)
                try await audit.record(
                    "add integration", target: "integration \(integrationId)", detail: "client \(clientId), name \(name), channels \(channels)")
                return key
            }
            print("integration_id=\(integrationId) api_key=\(key)")
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key", abstract: "Give an integration a new key; the old one is refused from then on.")
        @OptionGroup var options: CommonOptions
        @Option var integrationId: Int64

        func run() async throws {
            let key = try await options.withAuditedTransaction(command: "integrations rotate-key") { session, audit, _ in
                let key = try await IntegrationAdministration(database: session).rotateKey(integrationId: integrationId)
                try await audit.record("rotate integration key", target: "integration \(integrationId)")
                return key
            }
            print("integration_id=\(integrationId) api_key=\(key)")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an integration: its key is refused.")
        @OptionGroup var options: CommonOptions
        @Option var integrationId: Int64

        func run() async throws {
            try await options.withAuditedTransaction(command: "integrations disable") { session, audit, _ in
                try await IntegrationAdministration(database: session).disable(integrationId: integrationId)
                try await audit.record("disable integration", target: "integration \(integrationId)")
            }
            print("integration_id=\(integrationId) disabled")
        }
    }
}
