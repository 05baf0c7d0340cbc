import Foundation
import Glibc
import Testing

@testable import ReconKit

/// StopSignal with SIGUSR2, so the test process's own SIGINT and SIGTERM stay untouched.
@Suite struct StopSignalTests {
    @Test func signalCallsEveryActiveHandlerAndCancelRestoresThePreviousDisposition() async throws {
        let previous = signal(SIGUSR2, SIG_IGN)  // so a stray SIGUSR2 can never end the tests
        defer { signal(SIGUSR2, previous) }
        let counter = Counter()
        let first = StopSignal(signals: [SIGUSR2]) { counter.add(1) }
        let second = StopSignal(signals: [SIGUSR2]) { counter.add(10) }

        kill(getpid(), SIGUSR2)
        #expect(await waitFor { counter.value == 11 })

        second.cancel()
        kill(getpid(), SIGUSR2)
        #expect(await waitFor { counter.value == 12 })

        first.cancel()
        first.cancel()  // a second cancel does nothing
        kill(getpid(), SIGUSR2)  // ignored again, as before
        try await Task.sleep(for: .milliseconds(200))
        #expect(counter.value == 12)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    func add(_ amount: Int) {
        lock.lock()
        total += amount
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return total
    }
}

private func waitFor(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<300 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
