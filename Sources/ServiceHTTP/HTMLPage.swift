public import Hummingbird
public import HTTPTypes
import TransactCore

/// What every server-rendered page shares (the support console, Chat 2 Pay's payment page): an HTML answer with the
/// headers that keep it to itself, and the fields of a submitted form.
public enum HTMLPage {
    /// An HTML answer, `secured`.
    public static func response(_ text: String, status: HTTPResponse.Status) -> Response {
        secured(Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text))))
    }

    /// Headers every page carries: nothing but this origin's stylesheet may load, forms post only here, no framing,
    /// no sniffing, no caching (a page may show what only its visitor may see).
    public static func secured(_ response: Response) -> Response {
        var response = response
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// A stylesheet, which pages may cache for an hour.
    public static func stylesheet(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The fields of a form posted as `application/x-www-form-urlencoded`, of at most `maxBytes`; 400 `4000` when the
    /// body is not a form.
    public static func form(_ request: Request, maxBytes: Int = 16 * 1_024) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: maxBytes)
        guard let fields = FormURLEncoded.fields(String(buffer: body)) else {
            throw APIError(status: .badRequest, Answer.bodyNotAForm.coded)
        }
        return fields
    }
}
