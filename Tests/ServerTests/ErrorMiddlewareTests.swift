import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import Server
import ServiceHTTP
import Testing

@Suite("Unexpected failures never leak internals")
struct ErrorMiddlewareTests {
    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "password=hunter2 at /internal/path" }
    }

    func router() -> Router<TransactRequestContext> {
        let router = Router(context: TransactRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.get("database-down") { _, _ -> String in throw PostgresError.unavailable("connection refused") }
        router.get("bug") { _, _ -> String in throw SecretFailure() }
        router.get("teapot") { _, _ -> String in throw HTTPError(.badRequest, message: "bad") }
        return router
    }

    @Test("503 while the database is unreachable, 500 otherwise, with 0001 and the request id")
    func unexpected() async throws {
        try await Application(router: router()).test(.router) { client in
            try await client.execute(uri: "/database-down", method: .get, headers: [.init("X-Request-Id")!: "req-1"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.init("X-Request-Id")!] == "req-1")
                #expect(String(buffer: response.body)
                    == #"{"requestId":"req-1","responseCode":"0001","responseMessage":"Unexpected error"}"#)
            }
            try await client.execute(uri: "/bug", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = String(buffer: response.body)
                #expect(body.contains(#""responseCode":"0001""#))
                #expect(!body.contains("hunter2") && !body.contains("/internal"))
                let id = try #require(response.headers[.init("X-Request-Id")!])
                #expect(body.contains(id))
            }
            try await client.execute(uri: "/teapot", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.init("X-Request-Id")!] != nil)
            }
        }
    }
}
