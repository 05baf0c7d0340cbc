#if canImport(Glibc)
import Glibc
#endif

/// From the moment a command's documents are in the ledger, SIGINT, SIGTERM and SIGHUP no
/// longer end it: they are ignored until this is released, so the command finishes its
/// checkpoint and outputs and says what it issued. A Ctrl-C there ended a close with exit 130
/// and no word, its month closed and its documents issued.
final class SignalHold {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private var previous: [(signal: Int32, handler: __sighandler_t?)] = []

    init() {
        for s in Self.signals { previous.append((s, signal(s, SIG_IGN))) }
    }

    deinit {
        for (s, handler) in previous { signal(s, handler) }
    }
}
