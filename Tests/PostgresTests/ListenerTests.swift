import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite("LISTEN/NOTIFY")
struct ListenerTests {
    /// Collects a stream's events as they arrive.
    final class EventLog: Sendable {
        private let events = Mutex<[PostgresListenerEvent]>([])
        private let ended = Mutex(false)

        init(_ stream: AsyncStream<PostgresListenerEvent>) {
            Task { [self] in
                for await event in stream { record(event) }
                finish()
            }
        }

        private func record(_ event: PostgresListenerEvent) { events.withLock { $0.append(event) } }
        private func finish() { ended.withLock { $0 = true } }

        var snapshot: [PostgresListenerEvent] { events.withLock { $0 } }
        var hasEnded: Bool { ended.withLock { $0 } }

        /// Waits up to `seconds` for an event that satisfies `matches`.
        func waitFor(seconds: Double = 5, _ matches: (PostgresListenerEvent) -> Bool) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if snapshot.contains(where: matches) { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
    }

    @Test("notifications arrive on the channel's streams; after the connection is killed the listener resumes")
    func notifications() async throws {
        try await TestDatabase.with(migrated: false) { db, database in
            let listener = PostgresListener(configuration: database.configuration(poolSize: 1))
            let jobs = EventLog(listener.events(channel: "vend_jobs"))
            let other = EventLog(listener.events(channel: "other_channel"))
            // The listener issues LISTEN on its next turn (within 200 ms): notify until heard.
            var heard = false
            for attempt in 0..<25 where !heard {
                try await db.query("SELECT pg_notify('vend_jobs', \("job-\(attempt)"))")
                heard = try await jobs.waitFor(seconds: 0.3) { $0 == .notification(payload: "job-\(attempt)") }
            }
            #expect(heard)
            try await db.query("SELECT pg_notify('vend_jobs', 'exact')")
            #expect(try await jobs.waitFor { $0 == .notification(payload: "exact") })
            #expect(other.snapshot.isEmpty)

            // Kill the listening backend: the listener reconnects, says so, and hears later notifications.
            try await db.query("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = \(database.name) AND query LIKE 'LISTEN%'
                """)
            #expect(try await jobs.waitFor { $0 == .resumed })
            var after = false
            for attempt in 0..<25 where !after {
                try await db.query("SELECT pg_notify('vend_jobs', \("after-\(attempt)"))")
                after = try await jobs.waitFor(seconds: 0.3) { $0 == .notification(payload: "after-\(attempt)") }
            }
            #expect(after)

            await listener.shutdown()
            let deadline = ContinuousClock.now + .seconds(2)
            while !(jobs.hasEnded && other.hasEnded), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(jobs.hasEnded && other.hasEnded)
        }
    }
}
