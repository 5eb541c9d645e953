public import Hummingbird
public import TransactCore

extension Request {
    /// The body read as a JSON object by the API's rules (`JSONRequestBody`) and then by `read`, which gives the
    /// typed request; 400 `4000` for the first rule broken.
    public func validatedBody<Value>(_ read: (JSONRequestBody) throws(FormatError) -> Value) async throws -> Value {
        var request = self
        let bytes = try await request.collectBody(upTo: BodyLimitMiddleware.defaultMaxBytes)
        do throws(FormatError) {
            return try read(JSONRequestBody(bytes: Array(bytes.readableBytesView)))
        } catch {
            throw APIError(error)
        }
    }
}
