import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import Server
import ServiceHTTP
import TestSupport
import Testing
import TransactCrypto
import Yams

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("every route the router serves is in openapi.yaml, which is served at /openapi.yaml")
    func everyRouteDocumented() async throws {
        try await TestDatabase.with { db, _ in
            let router = TransactApplication.makeRouter(
                configuration: ServerConfiguration(),
                dependencies: ServiceDependencies(
                    postgres: db, schema: try TestDatabase.projectSchema(), masterKey: TestDatabase.masterKey))
            let text = try String(contentsOfFile: "openapi.yaml", encoding: .utf8)
            let document = try #require(try Yams.load(yaml: text) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            for route in router.routes {
                let path = "\(route.path)"
                let operations = paths[path] as? [String: Any]
                #expect(operations?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is not in openapi.yaml")
            }
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == text)
                }
            }
        }
    }
}
