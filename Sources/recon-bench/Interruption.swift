import Foundation

/// Ctrl-C or SIGTERM during a benchmark: instead of dying with a site of gigabytes left in
/// the temporary folder, the bench notes it, lets the `recon` in hand end (it has the
/// signal too, from the terminal), and stops at the next command, unwinding through
/// ``BenchSite/with(_:_:)``, which removes the site.
///
/// A handler, unlike an ignored signal, is reset to the default in the `recon` child.
enum Interruption {
    nonisolated(unsafe) private static var signalled: sig_atomic_t = 0

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in Interruption.signalled = 1 }
        }
    }

    static var isRequested: Bool { signalled != 0 }

    /// - Throws: ``BenchFailure`` once a stop has been asked for.
    static func check() throws {
        if isRequested { throw BenchFailure("interrupted; the temporary site is removed") }
    }
}
