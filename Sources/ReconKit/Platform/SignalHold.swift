import CMemoryHints
#if canImport(Glibc)
import Glibc
#endif

/// From just before a command's documents are appended, SIGINT, SIGTERM and SIGHUP no longer
/// end it at once. Until its bytes are written (``commit()``) a signal is noted, and the
/// append, which looks first, stops the command with nothing recorded, as the signal would
/// have; from then on they are ignored until this is released, so the command finishes its
/// checkpoint and outputs and says what it issued. A Ctrl-C there ended a close with exit 130
/// and no word, its month closed and its documents issued; ignored from the start, a SIGTERM
/// a moment before the append was lost and the close went on.
public final class SignalHold {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private var previous: [(signal: Int32, handler: __sighandler_t?)] = []
    /// The signal noted before the append's bytes, 0 for none: written by the handler, which
    /// may run on any thread, as one word.
    private static let noted: UnsafeMutablePointer<Int64> = {
        let word = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
        word.initialize(to: 0)
        return word
    }()

    /// How a stop is said: a line on standard error (`recon` sets a JSON error object, with the
    /// exit a shell sees, under `--log-format json`, where a text line broke a machine's reading).
    nonisolated(unsafe) public static var sayStopped: (_ message: String, _ exit: Int32) -> Void = { message, _ in
        Terminal.writeBestEffort("recon: \(message)\n", to: Terminal.standardError)
    }

    /// What the command removes of its own when a noted signal stops it (the workbooks it
    /// wrote as temporary files for the append): a stop leaves nothing a verifier would take for
    /// the trace of a cut ledger, and nothing for the next command to sweep.
    var onStop: [() -> Void] = []

    init() {
        recon_word_store(Self.noted, 0)
        for s in Self.signals {
            let before = signal(s) { recon_word_store(SignalHold.noted, Int64($0)) }
            // One ignored already stays so (SIGHUP under `nohup`): a closed terminal does not stop the close.
            if let before, unsafeBitCast(before, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(s, SIG_IGN) }
            previous.append((s, before))
        }
    }

    /// The stop signal noted so far; nil when none came.
    var asked: Int32? {
        let signal = Int32(recon_word_load(Self.noted))
        return signal == 0 ? nil : signal
    }

    /// A stop signal's name as a person knows it.
    public static func name(of signal: Int32) -> String {
        [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
    }

    /// Called by the append just before its bytes: a signal noted so far ends the command now,
    /// with its own default action (nothing is recorded yet).
    func stopIfAsked() {
        let asked = Int32(recon_word_load(Self.noted))
        guard asked != 0 else { return }
        for undo in onStop { undo() }
        onStop = []
        let name = Self.name(of: asked)
        // A rerun appends the held drops it takes before its documents: those stand.
        let said = LedgerFile.appendedByThisProcess
            ? "stopped by \(name) before its documents were recorded: nothing was issued; what it recorded before "
                + "them (the held drops a rerun took) stands, and `recon status` says what waits — run the command again"
            : "stopped by \(name) before anything was recorded: nothing was issued or appended — run the command again"
        Self.sayStopped(said, 128 + asked)
        for (s, handler) in previous { signal(s, handler) }
        previous = []
        signal(asked, SIG_DFL)
        raise(asked)
        exit(128 + asked)  // a handler the caller had kept it going: stop all the same
    }

    /// The append's bytes are written: stop signals are ignored from here on — or, in a process
    /// that answers them itself between its steps (``StopSignal``: `recon watch`, `recon demo`),
    /// given back to it, which lets this command finish and stops before the next.
    func commit() {
        guard !StopSignal.isActive else { return giveBack() }
        for s in Self.signals { signal(s, SIG_IGN) }
    }

    /// The handlers from before, back in place; a signal noted and not acted on (no append
    /// followed it) is handed to them when a ``StopSignal`` answers stops: dropped with this
    /// hold, a Ctrl-C during one of `recon demo`'s steps was forgotten, and the demo ran to its end.
    private func giveBack() {
        for (s, handler) in previous { signal(s, handler) }
        previous = []
        if let asked, StopSignal.isActive {
            recon_word_store(Self.noted, 0)
            raise(asked)
        }
    }

    deinit {
        giveBack()
    }
}
