import Dispatch
import Foundation
import Glibc

/// Turns SIGINT, SIGTERM and SIGHUP into a request to stop, for as long as it is active.
///
/// `recon watch` runs as a service: Ctrl-C or a service manager's SIGTERM should
/// let the batch in hand finish and the command end cleanly, not kill it halfway.
/// While at least one `StopSignal` is active the signals no longer end the process;
/// each arrival calls every active instance's `onStop` on a private queue. When the
/// last instance is cancelled (or deinitialised) the signals' previous handlers
/// come back, so a later Ctrl-C behaves as usual again.
///
/// The handler is in place when `init` returns: the C handler only writes the
/// signal's number into a pipe (a self-pipe), which buffers it until a dispatch
/// source reads it, so no arrival is lost however early it comes. Uses `signal`,
/// `pipe` and `write`.
public final class StopSignal {
    /// The signals that request a stop for `recon watch`: SIGHUP too, so a watcher started from
    /// a terminal that closes finishes its batch rather than dying in the middle of it.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let signals: [Int32]
    private var active = true

    /// Starts turning SIGINT and SIGTERM into calls of `onStop`.
    ///
    /// - Parameter onStop: called on a private queue each time one arrives; it
    ///   should only request a stop (for example ``InboxWatcher/stop()``).
    public convenience init(onStop: @escaping () -> Void) {
        self.init(signals: Self.stopSignals, onStop: onStop)
    }

    /// Starts turning SIGINT, SIGTERM and SIGHUP into calls of `onStop` with the signal's number.
    public init(onStopSignal: @escaping (Int32) -> Void) {
        self.signals = Self.stopSignals
        Self.lock.lock()
        defer { Self.lock.unlock() }
        Self.openPipeIfNeeded()
        for signalNumber in signals {
            Self.register(signalNumber, owner: ObjectIdentifier(self)) { onStopSignal(signalNumber) }
        }
    }

    /// Starts turning each of `signals` (numbers below 256) into calls of `onStop`.
    init(signals: [Int32], onStop: @escaping () -> Void) {
        self.signals = signals
        Self.lock.lock()
        defer { Self.lock.unlock() }
        Self.openPipeIfNeeded()
        for signalNumber in signals {
            Self.register(signalNumber, owner: ObjectIdentifier(self), onStop: onStop)
        }
    }

    deinit {
        cancel()
    }

    /// Whether some instance turns the stop signals into requests now (`recon watch` runs).
    public static var isActive: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !installed.isEmpty
    }

    /// Stops handling the signals; calling it again does nothing.
    public func cancel() {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        guard active else { return }
        active = false
        for signalNumber in signals {
            Self.unregister(signalNumber, owner: ObjectIdentifier(self))
        }
    }

    // MARK: - One handler per signal for the whole process

    /// What is installed for one signal while some instance handles it.
    private struct Installed {
        let previous: __sighandler_t?
        var handlers: [ObjectIdentifier: () -> Void]
    }

    private static let lock = NSLock()
    private static var installed: [Int32: Installed] = [:]
    private static var reader: DispatchSourceRead?

    /// Opens the self-pipe and starts reading it, once per process. Called with
    /// `lock` held. If the pipe cannot be opened the signals keep their default
    /// action (the process can still be stopped, just not gracefully).
    private static func openPipeIfNeeded() {
        guard reader == nil else { return }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, fcntl(end, F_GETFD) | FD_CLOEXEC)
        }
        let readEnd = ends[0]
        stopSignalPipeWriteEnd = ends[1]
        let source = DispatchSource.makeReadSource(
            fileDescriptor: readEnd, queue: DispatchQueue(label: "recon.stop-signal"))
        source.setEventHandler {
            var numbers = [UInt8](repeating: 0, count: 64)
            let count = numbers.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            lock.lock()
            let handlers = numbers[..<count].flatMap { installed[Int32($0)].map { Array($0.handlers.values) } ?? [] }
            lock.unlock()
            for handler in handlers { handler() }
        }
        source.resume()
        reader = source
    }

    /// Adds a handler for `signalNumber`, installing the C handler if it is the
    /// first. Called with `lock` held.
    private static func register(_ signalNumber: Int32, owner: ObjectIdentifier, onStop: @escaping () -> Void) {
        if installed[signalNumber] != nil {
            installed[signalNumber]?.handlers[owner] = onStop
            return
        }
        guard stopSignalPipeWriteEnd >= 0 else { return }
        let previous = signal(signalNumber, forwardStopSignal)
        installed[signalNumber] = Installed(previous: previous, handlers: [owner: onStop])
    }

    /// Removes a handler for `signalNumber`, restoring the signal's previous
    /// handler after the last. Called with `lock` held.
    private static func unregister(_ signalNumber: Int32, owner: ObjectIdentifier) {
        guard var entry = installed[signalNumber] else { return }
        entry.handlers[owner] = nil
        if entry.handlers.isEmpty {
            signal(signalNumber, entry.previous)
            installed[signalNumber] = nil
        } else {
            installed[signalNumber] = entry
        }
    }
}

/// The write end of the self-pipe; set before any handler that uses it is installed.
private var stopSignalPipeWriteEnd: Int32 = -1

/// The C signal handler: only async-signal-safe work, writing the number to the pipe.
private func forwardStopSignal(_ signalNumber: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(stopSignalPipeWriteEnd, &byte, 1)
    errno = savedErrno
}
