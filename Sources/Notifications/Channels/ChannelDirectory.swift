/// The adapter of each channel (API.md §7): the HTTP gateway configured for it, else the simulated channel.
public struct ChannelDirectory: Sendable {
    let channels: [ChannelKind: any NotificationChannel]

    public init(configuration: NotificationConfiguration) {
        var channels: [ChannelKind: any NotificationChannel] = [:]
        for kind in ChannelKind.allCases {
            if let url = configuration.gatewayURLs[kind], !url.isEmpty {
                channels[kind] = HTTPGatewayChannel(
                    url: url, secret: Array(configuration.gatewaySecret.utf8),
                    timeout: .milliseconds(configuration.gatewayTimeoutMs))
            } else {
                channels[kind] = SimulatedChannel()
            }
        }
        self.channels = channels
    }

    public func channel(for kind: ChannelKind) -> any NotificationChannel {
        channels[kind] ?? SimulatedChannel()
    }
}
