import Glibc

/// Owns one inotify instance that watches a single folder (not its subfolders) for
/// files being created, written, closed after writing or renamed in.
///
/// The descriptor is non-blocking and close-on-exec, and is closed in `deinit`.
/// Events are used only as a reason to look at the folder again: ``drain(isRelevant:)``
/// reads everything queued and says whether any of it matters.
final class InotifyHandle {
    /// What one drain of the event queue found.
    struct Events {
        /// Some event named a file that may be a drop, or the queue overflowed.
        var relevant = false
        /// The kernel dropped events (`IN_Q_OVERFLOW`): only a full look is safe.
        var overflowed = false
        /// The watch is gone (`IN_IGNORED`: the folder was removed or unmounted), or follows the
        /// folder elsewhere (`IN_MOVE_SELF`: renamed away, `mv Inbox Inbox.old`), so a new
        /// `Inbox/` made in its place would be watched by no one.
        var watchRemoved = false
    }

    /// The inotify descriptor, for `poll`.
    let descriptor: Int32

    /// The events watched: `IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY`, and
    /// `IN_MOVE_SELF` (the folder renamed away), on a folder only.
    private static let mask =
        UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_MODIFY)
        | UInt32(IN_MOVE_SELF) | UInt32(IN_ONLYDIR)

    /// Starts watching `folder`, or says why inotify is unavailable here
    /// (`inotify_init1`, `inotify_add_watch`).
    static func watching(_ folder: String) -> Result<InotifyHandle, InotifyUnavailable> {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard descriptor >= 0 else {
            return .failure(InotifyUnavailable(call: "inotify_init1", code: errno))
        }
        guard inotify_add_watch(descriptor, folder, mask) >= 0 else {
            let code = errno
            close(descriptor)
            return .failure(InotifyUnavailable(call: "inotify_add_watch", code: code))
        }
        return .success(InotifyHandle(descriptor: descriptor))
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Reads every queued event without blocking.
    ///
    /// - Parameter isRelevant: whether an event naming this file (not a folder)
    ///   is a reason to look at the folder again.
    func drain(isRelevant: (String) -> Bool) -> Events {
        var events = Events()
        // Room for many events; each is a 16-byte header and a padded name.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return events }  // EAGAIN: the queue is empty
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + 16 <= count {
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = raw[(offset + 16)..<min(offset + 16 + length, count)]
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    offset += 16 + length
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        events.overflowed = true
                        events.relevant = true
                    } else if mask & UInt32(IN_IGNORED) != 0 || mask & UInt32(IN_MOVE_SELF) != 0 {
                        events.watchRemoved = true
                        events.relevant = true
                    } else if mask & UInt32(IN_ISDIR) == 0 && isRelevant(name) {
                        events.relevant = true
                    }
                }
            }
        }
    }
}
