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
        #expect(await eventually { counter.value == 11 })

        second.cancel()
        kill(getpid(), SIGUSR2)
        #expect(await eventually { counter.value == 12 })

        first.cancel()
        first.cancel()  // a second cancel does nothing
        // Ignored again, as before. Raised on this thread, any handler runs before `raise`
        // returns, so a handler still in place would have written its byte to the pipe before
        // the probe's below; the pipe is read in order, so once the probe has been called the
        // SIGUSR2 has been dealt with, whichever way.
        raiseOnThisThread(SIGUSR2)
        let probe = await probeDelivery()
        #expect(probe)
        #expect(counter.value == 12)
    }
}

/// Raises SIGUSR1 through a `StopSignal` of its own and waits for its handler: every signal
/// raised before it has then been handled (or was never handled at all).
private func probeDelivery() async -> Bool {
    let previous = signal(SIGUSR1, SIG_IGN)
    defer { signal(SIGUSR1, previous) }
    let delivered = Counter()
    let probe = StopSignal(signals: [SIGUSR1]) { delivered.add(1) }
    defer { probe.cancel() }
    raiseOnThisThread(SIGUSR1)
    return await eventually { delivered.value == 1 }
}

/// Raises `signalNumber` on this thread with it unblocked for the moment, so whatever its
/// disposition does has been done when this returns (`raise`, `pthread_sigmask`). Tests run
/// on the concurrency pool's threads, which block most signals: there `raise` alone would
/// leave the signal pending.
private func raiseOnThisThread(_ signalNumber: Int32) {
    var only = sigset_t(), saved = sigset_t()
    sigemptyset(&only)
    sigaddset(&only, signalNumber)
    pthread_sigmask(SIG_UNBLOCK, &only, &saved)
    raise(signalNumber)
    pthread_sigmask(SIG_SETMASK, &saved, nil)
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
