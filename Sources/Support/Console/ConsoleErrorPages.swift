import Hummingbird
import HTTPTypes
import ServiceHTTP

/// The console's refusals as pages, not the API's JSON: a person reads them. Only refusals with a message meant
/// for the caller (not found, forbidden, a conflict, a bad parameter) become pages; an unexpected failure still
/// goes to the error middleware, which hides its details.
struct ConsoleErrorPages: RouterMiddleware {
    typealias Context = TransactRequestContext
    let base: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return page(error.status, error.responseMessage)
        } catch let error as Forbidden {
            return page(.forbidden, "Not allowed: \(error.reason).")
        }
    }

    private func page(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let title = switch status {
        case .notFound: "Not found"
        case .forbidden: "Not allowed"
        case .conflict: "Not done"
        default: "Cannot do that"
        }
        return HTMLPage.response(
            ConsoleTemplates.render("error", ["title": title, "base": base, "message": message]), status: status)
    }
}
