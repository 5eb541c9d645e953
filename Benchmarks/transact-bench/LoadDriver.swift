import AsyncHTTPClient
import Foundation

/// How the end-to-end loads send: for the configured time, either as fast as `concurrency` tasks go (closed loop),
/// or one call every 1/`rate` s whatever the answers do (open loop, at most 4,096 in flight; a call over the cap
/// counts as refused). Answers how long the sending took, in seconds.
enum LoadDriver {
    static func drive(_ arguments: BenchmarkArguments, refused: Counter, _ call: @escaping @Sendable () async -> Void) async -> Double {
        let started = ContinuousClock.now
        let deadline = started + .seconds(arguments.seconds)
        if arguments.rate > 0 {
            let interval = Duration.nanoseconds(Int64(1e9 / arguments.rate))
            await withDiscardingTaskGroup { group in
                var next = started
                let inFlight = Counter()
                while next < deadline {
                    try? await Task.sleep(until: next, clock: .continuous)
                    next += interval
                    guard inFlight.value.load(ordering: .relaxed) < 4_096 else { refused.value.add(1, ordering: .relaxed); continue }
                    inFlight.value.add(1, ordering: .relaxed)
                    group.addTask {
                        await call()
                        inFlight.value.subtract(1, ordering: .relaxed)
                    }
                }
            }
        } else {
            await withDiscardingTaskGroup { group in
                for _ in 0..<arguments.concurrency {
                    group.addTask { while ContinuousClock.now < deadline { await call() } }
                }
            }
        }
        return seconds(ContinuousClock.now - started)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ sorted: [Int], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1_000
    }

    static func microseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
    }

    /// Waits until the bank simulator has settled (debited or released) the holds of the `expected` calls accepted
    /// (polled at 2/s: the list of holds is long), then reports the completed rate and how long completion lagged.
    static func reportCompletion(
        _ arguments: BenchmarkArguments, _ http: HTTPClient, expected: Int, started: ContinuousClock.Instant,
        sendingSeconds: Double, unit: String
    ) async throws {
        var acknowledged = 0
        while true {
            acknowledged = try await settledHolds(arguments, http)
            if acknowledged >= expected + arguments.alreadyCompleted || ContinuousClock.now - started > .seconds(arguments.seconds * 10 + 60) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let completionSeconds = seconds(ContinuousClock.now - started)
        BenchmarkMain.report("completed (result acknowledged)", Double(acknowledged - arguments.alreadyCompleted) / completionSeconds, unit: unit)
        print(String(format: "  the last result was acknowledged %.1f s after the last request was sent", completionSeconds - sendingSeconds))
    }

    /// The bank simulator's holds that a result settled.
    static func settledHolds(_ arguments: BenchmarkArguments, _ http: HTTPClient) async throws -> Int {
        struct Hold: Decodable { let state: String }
        let response = try await http.execute(HTTPClientRequest(url: arguments.bankURL + "/holds"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 30)
        return try JSONDecoder().decode([Hold].self, from: Data(body.readableBytesView)).count { $0.state != "held" }
    }
}
