import ArgumentParser

@main
struct Transact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transact",
        abstract: "The Transact payment backend: API server, database migrations and operations tools.",
        subcommands: [
            Serve.self, Migrate.self, Seed.self, Clients.self, Integrations.self, Keys.self, Verify.self, Simulate.self, Report.self,
            Archive.self,
        ])
}
