import Foundation
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What a listener delivers on a channel.
public enum PostgresListenerEvent: Sendable, Equatable {
    /// A `NOTIFY channel, 'payload'`.
    case notification(payload: String)
    /// The listening connection was re-established: notifications sent meanwhile were lost, so look for work.
    case resumed
}

/// `LISTEN` on a dedicated connection and thread, delivering notifications as async streams. Workers use it to
/// wake at once when work is queued; it is never the only way they find work (they also poll), because
/// notifications are lost while the connection is down.
public final class PostgresListener: @unchecked Sendable {
    private typealias Continuation = AsyncStream<PostgresListenerEvent>.Continuation

    private let configuration: PostgresConfiguration
    private let logger: Logger
    // Guarded by `lock`.
    private let lock = NSLock()
    private var subscribers: [String: [UUID: Continuation]] = [:]
    private var closing = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    /// How often the thread looks at its subscriptions and at shutdown when nothing arrives.
    private let pollIntervalMs: Int32 = 200
    /// Channels are identifiers chosen by code; anything else is refused rather than quoted.
    private static let channelPattern = "^[a-z_][a-z0-9_]{0,62}$"

    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "postgres.listener")) {
        self.configuration = configuration
        self.logger = logger
        let thread = Thread { [self] in self.threadMain() }
        thread.name = "postgres-listener"
        thread.start()
    }

    /// Events on `channel` until the stream is cancelled or the listener shuts down.
    public func events(channel: String) -> AsyncStream<PostgresListenerEvent> {
        precondition(channel.range(of: Self.channelPattern, options: .regularExpression) != nil, "invalid channel name \(channel)")
        let (stream, continuation) = AsyncStream<PostgresListenerEvent>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let id = UUID()
        lock.lock()
        if closing {
            lock.unlock()
            continuation.finish()
            return stream
        }
        subscribers[channel, default: [:]][id] = continuation
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.subscribers[channel]?[id] = nil
            if self.subscribers[channel]?.isEmpty == true { self.subscribers[channel] = nil }
            self.lock.unlock()
        }
        return stream
    }

    /// Ends every stream and closes the connection.
    public func shutdown() async {
        let all = lock.withLock {
            closing = true
            defer { subscribers = [:] }
            return subscribers.values.flatMap(\.values)
        }
        all.forEach { $0.finish() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if exited {
                lock.unlock()
                continuation.resume()
            } else {
                exitWaiters.append(continuation)
                lock.unlock()
            }
        }
    }

    // MARK: The thread

    private func snapshot() -> (closing: Bool, channels: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        return (closing, Set(subscribers.keys))
    }

    private func deliver(_ event: PostgresListenerEvent, on channel: String) {
        lock.lock()
        let targets = subscribers[channel].map { Array($0.values) } ?? []
        lock.unlock()
        targets.forEach { $0.yield(event) }
    }

    private func threadMain() {
        var connection: PostgresConnection?
        var listening: Set<String> = []
        var reconnectDelayMs = configuration.reconnectInitialDelayMs
        var everConnected = false
        while true {
            let (closing, wanted) = snapshot()
            if closing { break }
            if connection == nil {
                do {
                    connection = try PostgresConnection.connect(configuration, pipelineMode: false)
                    listening = []
                    reconnectDelayMs = configuration.reconnectInitialDelayMs
                    if everConnected { wanted.forEach { deliver(.resumed, on: $0) } }
                    everConnected = true
                } catch {
                    logger.warning("Listener connection failed; retrying", metadata: ["error": "\(error)"])
                    Thread.sleep(forTimeInterval: Double(reconnectDelayMs) / 1_000)
                    reconnectDelayMs = min(reconnectDelayMs * 2, configuration.reconnectMaxDelayMs)
                    continue
                }
            }
            guard let live = connection else { continue }
            do {
                for channel in wanted.subtracting(listening) { _ = try live.executeSimple("LISTEN \(channel)") }
                for channel in listening.subtracting(wanted) { _ = try live.executeSimple("UNLISTEN \(channel)") }
                listening = wanted
            } catch {
                connection = nil
                continue
            }
            var descriptor = pollfd(fd: live.socketDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, pollIntervalMs)
            guard let notifications = live.receiveNotifications() else {
                logger.warning("Listener connection lost; reconnecting")
                connection = nil
                continue
            }
            for notification in notifications {
                deliver(.notification(payload: notification.payload), on: notification.channel)
            }
        }
        connection = nil
        lock.lock()
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        lock.unlock()
        waiters.forEach { $0.resume() }
    }
}
