import ArgumentParser
import DatabaseMigrations
import Foundation
import Postgres
import SecurityService
import Seeding
import TransactCrypto

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a seed file (YAML or JSON, the format of seed-example.yaml) idempotently, in one transaction.")

    @OptionGroup var options: CommonOptions

    @Argument(help: "The seed file.")
    var file: String

    func run() async throws {
        let masterKey = try MasterKeyEnvironment.require(command: "seed")
        let document: SeedDocument
        do {
            document = try SeedReader.read(fileAt: file)
        } catch {
            throw CommandFailure("seed: \(error)")
        }
        let generated = try await options.withDatabase(command: "seed") { client, _ in
            try await SeedLoader(database: client, sealer: SecretSealer(masterKey: masterKey))
                .load(document, file: (file as NSString).lastPathComponent)
        }
        print("Loaded \(file): \(document.clients.count) clients, \(document.products.count) products, "
            + "\(document.vendors.count) vendors, \(document.fundingSources.count) funding sources.")
        for credentials in generated {
            // Shown once: only their hashes are stored.
            print("Generated for client \(credentials.clientId):"
                + (credentials.clientSecret.map { " clientSecret=\($0)" } ?? "")
                + (credentials.apiKey.map { " apiKey=\($0)" } ?? ""))
        }
    }
}

/// TRANSACT_MASTER_KEY, required by every command that stores or reads sealed secrets.
enum MasterKeyEnvironment {
    static func require(command: String) throws -> MasterKey {
        guard let text = ProcessInfo.processInfo.environment["TRANSACT_MASTER_KEY"] else {
            throw CommandFailure(
                "\(command): TRANSACT_MASTER_KEY is not set. It must hold 64 hexadecimal characters (32 bytes), the key "
                    + "under which signing keys and other secrets are stored encrypted; for example: "
                    + "export TRANSACT_MASTER_KEY=$(openssl rand -hex 32)")
        }
        guard let key = MasterKey(hex: text) else {
            throw CommandFailure("\(command): TRANSACT_MASTER_KEY must be exactly 64 hexadecimal characters (32 bytes)")
        }
        return key
    }
}
