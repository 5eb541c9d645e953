import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Postgres
import SecurityService
import ServiceHTTP
import TestSupport
import Testing
import TransactCrypto

@Suite("Protected routes: status and body of every refusal (API.md §0)")
struct MiddlewareTests {
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
    static let signatureHeader = HTTPField.Name("Signature")!

    func headers(token: String?, apiKey: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let token { fields[.authorization] = "Bearer \(token)" }
        if let apiKey { fields[Self.apiKeyHeader] = apiKey }
        return fields
    }

    @Test("401 invalid_token and invalid_api_key, 403 for another clientId or role, 200 for one's own")
    func authenticationAndAuthorisation() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "s200", apiKey: "k200")
            try await fixture.addClient(300, secret: "s300", apiKey: "k300")
            try await fixture.addClient(9100, secret: "s9100", apiKey: "k9100", role: "vendor")
            let token = try await fixture.token(200, "s200")
            let vendorToken = try await fixture.token(9100, "s9100")
            try await Application(router: fixture.router()).test(.router) { client in
                try await client.execute(uri: "/auth/check", method: .get, headers: headers(token: nil, apiKey: "k200")) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
                    #expect(String(buffer: response.body) == #"{"error":"invalid_token","error_description":"missing bearer token"}"#)
                }
                try await client.execute(uri: "/auth/check", method: .get, headers: headers(token: "x.y.z", apiKey: "k200")) { response in
                    #expect(response.status == .unauthorized)
                    #expect(String(buffer: response.body).contains(#""error":"invalid_token""#))
                }
                try await client.execute(uri: "/auth/check", method: .get, headers: headers(token: token, apiKey: "k300")) { response in
                    #expect(response.status == .unauthorized)
                    #expect(String(buffer: response.body)
                        == #"{"error":"invalid_api_key","error_description":"X-API-Key does not belong to this client"}"#)
                }
                try await client.execute(uri: "/auth/check", method: .get, headers: headers(token: token, apiKey: nil)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(String(buffer: response.body).contains(#""error":"invalid_api_key""#))
                }
                try await client.execute(uri: "/auth/check", method: .get, headers: headers(token: token, apiKey: "k200")) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"clientId":200,"role":"client","scope":"transact lookup"}"#)
                }
                // Another clientId in the body or the query: 403, never data.
                try await client.execute(
                    uri: "/act-for", method: .post, headers: headers(token: token, apiKey: "k200"),
                    body: ByteBuffer(string: #"{"clientId":300}"#)
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body)
                        == #"{"error":"forbidden","error_description":"the token's client may not act for clientId 300"}"#)
                }
                try await client.execute(uri: "/act-for?clientId=300", method: .get, headers: headers(token: token, apiKey: "k200")) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(
                    uri: "/act-for", method: .post, headers: headers(token: token, apiKey: "k200"),
                    body: ByteBuffer(string: #"{"clientId":200}"#)
                ) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "acting for 200")
                }
                // A vendor user may not act as a client, nor for another vendor; a client may not act as a vendor.
                try await client.execute(uri: "/act-for?clientId=9100", method: .get, headers: headers(token: vendorToken, apiKey: "k9100")) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(uri: "/vendor-act?vendorId=100", method: .get, headers: headers(token: vendorToken, apiKey: "k9100")) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "acting for vendor 100")
                }
                try await client.execute(uri: "/vendor-act?vendorId=101", method: .get, headers: headers(token: vendorToken, apiKey: "k9100")) { response in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body)
                        == #"{"error":"forbidden","error_description":"the token's vendor may not act for vendorId 101"}"#)
                }
                try await client.execute(uri: "/vendor-act?vendorId=100", method: .get, headers: headers(token: token, apiKey: "k200")) {
                    #expect($0.status == .forbidden)
                }
            }
        }
    }

    @Test("Signature: missing, wrong, or over a body changed by a CRLF is 400 4000; right is accepted (API.md §1.4 vector)")
    func signature() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            let secret = "0123456789abcdef0123456789abcdef"
            try await fixture.addClient(200, secret: "s200", apiKey: "k200", signatureSecret: secret)
            let token = try await fixture.token(200, "s200")
            let body = #"{"clientId":200,"clientTxnRef":"seo8w3-3wsf8cffdd34-f58l","purchaseAmount":10000}"#
            let vector = "A5pTBQPa4PoQNhzync6E+k1rZ+JJWaNCHQycc5KycP8="
            let invalid = #"{"responseCode":"4000","responseMessage":"Header Signature invalid"}"#
            try await Application(router: fixture.router()).test(.router) { client in
                var fields = headers(token: token, apiKey: "k200")
                try await client.execute(uri: "/signed", method: .post, headers: fields, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body) == invalid)
                }
                fields[Self.signatureHeader] = "AAAA" + vector.dropFirst(4)
                try await client.execute(uri: "/signed", method: .post, headers: fields, body: ByteBuffer(string: body)) {
                    #expect($0.status == .badRequest)
                }
                fields[Self.signatureHeader] = vector
                try await client.execute(uri: "/signed", method: .post, headers: fields, body: ByteBuffer(string: body + "\r\n")) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body) == invalid)
                }
                try await client.execute(uri: "/signed", method: .post, headers: fields, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "\(body.utf8.count) bytes for 200")
                }
            }
        }
    }

    @Test("413 for a body over 64 KiB, 429 with Retry-After beyond the client's rate")
    func limits() async throws {
        try await TestDatabase.with { db, _ in
            let fixture = SecurityFixture(db: db)
            try await fixture.addClient(200, secret: "s200", apiKey: "k200", rateLimitPerSecond: 1)
            let token = try await fixture.token(200, "s200")
            try await Application(router: fixture.router()).test(.router) { client in
                let large = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1_024 + 1)
                try await client.execute(uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: large) {
                    #expect($0.status == .contentTooLarge)
                }
                try await client.execute(uri: "/act-for", method: .post, headers: headers(token: token, apiKey: "k200"), body: large) {
                    #expect($0.status == .contentTooLarge)
                }
                var statuses: [HTTPResponse.Status] = []
                var retryAfter: String?
                // Up to 20 requests at a rate of 1/s: however slowly a loaded machine sends them, the limit is met.
                for _ in 0..<20 where !statuses.contains(.tooManyRequests) {
                    try await client.execute(uri: "/auth/check", method: .get, headers: headers(token: token, apiKey: "k200")) { response in
                        statuses.append(response.status)
                        if response.status == .tooManyRequests {
                            retryAfter = response.headers[.retryAfter]
                            #expect(String(buffer: response.body).contains(#""error":"rate_limited""#))
                        }
                    }
                }
                #expect(statuses.first == .ok)
                #expect(statuses.contains(.tooManyRequests))
                #expect(retryAfter == "1")
            }
        }
    }
}
