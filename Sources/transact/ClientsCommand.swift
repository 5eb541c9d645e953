import ArgumentParser
import DatabaseMigrations
import Foundation
import Notifications
import Postgres
import SecurityService
import Seeding
import Server
import TransactCore

struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Onboard clients and rotate their credentials. New secrets and keys are printed once.",
        subcommands: [Add.self, RotateSecret.self, RotateAPIKey.self, Disable.self, TopUp.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a client (role client, support or admin).")
        @OptionGroup var options: CommonOptions
        @Option(help: "The numeric client id (1-99999).") var clientId: Int64
        @Option(help: "The client's name.") var name: String
        @Option(help: "client, support or admin.") var role: String = "client"
        @Option(help: "Requests per second.") var rateLimit: Int = 100

        func validate() throws {
            guard (1...99_999).contains(clientId) else { throw ValidationError("--client-id must be 1...99999") }
            guard ["client", "support", "admin"].contains(role) else {
                throw ValidationError("--role must be client, support or admin (vendor users come from a seed file)")
            }
            guard !name.isEmpty, name.count <= 100 else { throw ValidationError("--name must be 1 to 100 characters") }
            guard (1...100_000).contains(rateLimit) else { throw ValidationError("--rate-limit must be 1...100000") }
        }

        func run() async throws {
            let created = try await options.withAuditedTransaction(command: "clients add") { session, audit, _ in
                let created = try await ClientAdministration(database: session)
                    .add(clientId: clientId, name: name, role: ClientRecord.Role(rawValue: role)!, rateLimitPerSecond: rateLimit)
                try await audit.record(
                    "add client", target: "client \(clientId)", detail: "name \(name), role \(role), rate limit \(rateLimit)/s")
                return created
            }
            print("client_id=\(created.clientId) client_secret=\(created.clientSecret) api_key=\(created.apiKey)")
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Give a client a new secret; tokens issued before are revoked.")
        @OptionGroup var options: CommonOptions
        @Option var clientId: Int64

        func run() async throws {
            let secret = try await options.withAuditedTransaction(command: "clients rotate-secret") { session, audit, _ in
                let secret = try await ClientAdministration(database: session).rotateSecret(clientId: clientId)
                try await audit.record("rotate client secret", target: "client \(clientId)", detail: "tokens issued before revoked")
                return secret
            }
            print("client_id=\(clientId) client_secret=\(secret)")
        }
    }

    struct RotateAPIKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-api-key", abstract: "Give a client a new API key.")
        @OptionGroup var options: CommonOptions
        @Option var clientId: Int64

        func run() async throws {
            let key = try await options.withAuditedTransaction(command: "clients rotate-api-key") { session, audit, _ in
                let key = try await ClientAdministration(database: session).rotateAPIKey(clientId: clientId)
                try await audit.record("rotate client API key", target: "client \(clientId)")
                return key
            }
            print("client_id=\(clientId) api_key=\(key)")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a client: no new tokens; existing ones refused.")
        @OptionGroup var options: CommonOptions
        @Option var clientId: Int64

        func run() async throws {
            try await options.withAuditedTransaction(command: "clients disable") { session, audit, _ in
                try await ClientAdministration(database: session).disable(clientId: clientId)
                try await audit.record("disable client", target: "client \(clientId)")
            }
            print("client_id=\(clientId) disabled")
        }
    }
}

extension Clients {
    struct TopUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "topup", abstract: "Add prepaid messaging credit to a client (API.md §7).",
            discussion: """
                Books --amount (minor units) from cash into the client's messaging credit account, opening it when the \
                client has none. With --reference, repeating the command is the same top-up, booked once.
                """)
        @OptionGroup var options: CommonOptions
        @Option(help: "The numeric client id.") var clientId: Int64
        @Option(help: "Minor units of the currency (cents): 10000 is 100.00.") var amount: Int64
        @Option(help: "ISO 4217 code; must be the client's messaging currency when it has one.") var currency = "ZAR"
        @Option(help: "Your reference for this payment (makes the command safe to repeat).") var reference: String?

        func validate() throws {
            guard (1...999_999_999_999).contains(amount) else { throw ValidationError("--amount must be 1...999999999999") }
            guard CurrencyCode(currency) != nil else {
                throw ValidationError("--currency must be an ISO 4217 code such as ZAR")
            }
            if let reference, !(1...64).contains(reference.count) { throw ValidationError("--reference must be 1 to 64 characters") }
        }

        func run() async throws {
            let transferId = reference.map { UUID(stableFrom: "messaging-top-up:\(clientId):\($0)") } ?? UUID()
            let available = try await options.withAuditedTransaction(command: "clients topup") { session, audit, _ in
                let available = try await MessagingCredit(database: session)
                    .topUp(clientId: clientId, currency: currency, amount: amount, transferId: transferId)
                try await audit.record(
                    "top up messaging credit", target: "client \(clientId)",
                    detail: "\(amount) \(currency) minor units, transfer \(transferId.uuidString.lowercased())"
                        + (reference.map { ", reference \($0)" } ?? "") + "; available after: \(available)")
                return available
            }
            print("client_id=\(clientId) messaging_credit_available=\(available) currency=\(currency)")
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Token signing keys.", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new signing key; the old one keeps verifying until its tokens expire.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let masterKey = try MasterKeyEnvironment.require(command: "keys rotate")
            let kid = try await options.withDatabase(command: "keys rotate") { database, configuration in
                try await SigningKeyStore(
                    database: database, sealer: SecretSealer(masterKey: masterKey),
                    retiredKeyGrace: .seconds(configuration.tokenLifetimeSeconds + 60)
                ).rotate { session, kid in
                    try await CommandAudit(on: session).record("rotate signing key", target: "kid \(kid)")
                }
            }
            print("signing key \(kid) is now active")
        }
    }
}
