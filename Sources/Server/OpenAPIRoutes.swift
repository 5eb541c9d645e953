import Hummingbird
import ServiceHTTP

/// `GET /openapi.yaml`: the document listing every endpoint (the project's `openapi.yaml`, built into the binary or
/// read at start-up from `openAPIDocument`).
struct OpenAPIRoutes {
    let document: String?

    func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("openapi.yaml") { _, _ -> Response in
            guard let document else { throw HTTPError(.notFound, message: "the configured OpenAPI document was not found at start-up") }
            return Response(
                status: .ok,
                headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
        }
    }
}
