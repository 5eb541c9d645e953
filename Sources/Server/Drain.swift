public import Logging
public import ServiceLifecycle
import Synchronization

/// Whether this process is draining before it stops: readiness answers 503 so that a load balancer or an
/// orchestrator sends new requests elsewhere, while the listener still takes and answers whatever arrives.
public final class Drain: Sendable {
    private let draining = Mutex(false)

    public init() {}

    public var isDraining: Bool { draining.withLock { $0 } }

    func begin() { draining.withLock { $0 = true } }
}

/// The first service to stop on SIGTERM or SIGINT (it is the last of its group): it turns readiness to 503 and
/// holds the stop for `duration`, the time a load balancer takes to see it, before the HTTP server closes its
/// listener and lets the requests in flight finish. Zero skips the wait.
public struct DrainPeriod: Service {
    let drain: Drain
    let duration: Duration
    let logger: Logger

    public init(drain: Drain, duration: Duration, logger: Logger) {
        self.drain = drain
        self.duration = duration
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        drain.begin()
        guard duration > .zero else { return }
        logger.notice("Draining: readiness answers 503 before the listener closes", metadata: ["seconds": "\(duration)"])
        // Cancellation (a second signal, or the group giving up) ends the wait early.
        try? await Task.sleep(for: duration)
    }
}
