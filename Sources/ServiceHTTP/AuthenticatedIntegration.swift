/// Who sent a One API request (API.md §13), once its raw `Authorization` key has been checked: an integration of a
/// client (set by the integration authentication middleware, beside the client it acts for).
public struct AuthenticatedIntegration: Sendable, Equatable {
    public let integrationId: Int64
    public let clientId: Int64
    public let name: String
    /// The channels it may send on: 6 SMS, 8 WhatsApp.
    public let channels: [Int64]

    public init(integrationId: Int64, clientId: Int64, name: String, channels: [Int64]) {
        self.integrationId = integrationId
        self.clientId = clientId
        self.name = name
        self.channels = channels
    }
}
