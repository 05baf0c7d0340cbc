import Glibc

/// Counts how often any process closes a file it had opened for writing (inotify's
/// `IN_CLOSE_WRITE` on that one file), for waiting on another process's attempts.
///
/// Each time `recon` tries for the site's lock and gives up, it has opened
/// `Ledger/writer.lock` read-write and closes it: counting those closes waits for its
/// retries themselves instead of sleeping past a guess of how long they take.
final class CloseWriteCounter {
    private let descriptor: Int32
    private var seen = 0

    /// Starts counting closes of `path`, which must exist; nil when inotify is unavailable.
    init?(path: String) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        guard inotify_add_watch(descriptor, path, UInt32(IN_CLOSE_WRITE)) >= 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The closes counted since `init`, reading the events that have arrived (never blocks).
    var count: Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            // Each event: wd (4), mask (4), cookie (4), len (4), then `len` bytes of name (none for a file's own watch).
            var offset = 0
            while offset + 16 <= n {
                let field = { (at: Int) in
                    buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self) }
                }
                if field(4) & UInt32(IN_CLOSE_WRITE) != 0 { seen += 1 }
                offset += 16 + Int(field(12))
            }
        }
        return seen
    }
}
