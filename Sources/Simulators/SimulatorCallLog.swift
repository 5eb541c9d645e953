import Synchronization

/// How many calls of each kind a simulator received per key (a raasTxnRef, a vend reference): what a test of
/// "exactly once" asks it afterwards (`GET /calls`). At most `maxKeys` keys are kept.
final class SimulatorCallLog: Sendable {
    private let counts = Mutex<[String: [String: Int]]>([:])
    private let maxKeys: Int

    init(maxKeys: Int = 1_000_000) {
        self.maxKeys = maxKeys
    }

    func record(_ kind: String, for key: String) {
        counts.withLock { counts in
            guard counts[key] != nil || counts.count < maxKeys else { return }
            counts[key, default: [:]][kind, default: 0] += 1
        }
    }

    /// Key → kind → count.
    var all: [String: [String: Int]] { counts.withLock { $0 } }
}
