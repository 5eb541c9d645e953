/// A URL the service delivers signed JSON bodies to (a client's `transactResultUrl` or notification callback URL),
/// with the transport that signs them when the receiver requires signatures.
public struct HTTPEndpoint: Sendable {
    public let url: String
    let transport: SignedHTTPTransport
    let timeout: Duration

    public init(url: String, transport: SignedHTTPTransport, timeout: Duration = .seconds(30)) {
        self.url = url
        self.transport = transport
        self.timeout = timeout
    }

    /// POSTs `body`, the exact bytes; acknowledged on any 2xx.
    public func deliver(body: [UInt8]) async -> Delivery {
        await transport.deliver(body, to: url, timeout: timeout)
    }
}
