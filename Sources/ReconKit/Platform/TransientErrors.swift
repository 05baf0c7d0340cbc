import Foundation
import Glibc

/// Opens and listings that fail for a moment — the system's file table full (ENFILE), this
/// process at its limit of open files (EMFILE), an I/O error or memory short for an instant —
/// are tried again a few times before the failure counts: one such failure on a checkpoint or
/// `site.pub` read as "changed", and an intact site was refused as damaged (exit 4, "find out
/// who changed it"), a running watcher stopped for good.
public enum TransientErrors {
    static let codes: Set<Int32> = [EINTR, EAGAIN, EMFILE, ENFILE, EIO, ENOMEM]
    /// The waits between tries, in microseconds: a little over a tenth of a second in all.
    static let waits: [UInt32] = [2_000, 10_000, 40_000, 80_000]

    /// `open(path, flags, mode)`, tried again while it fails with one of ``codes``; `errno` is the last try's.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        var fd = Glibc.open(path, flags, mode)
        for wait in waits where fd < 0 && codes.contains(errno) {
            usleep(wait)
            fd = Glibc.open(path, flags, mode)
        }
        return fd
    }

    /// `opendir(path)`, tried again in the same way.
    static func opendir(_ path: String) -> OpaquePointer? {
        var directory = Glibc.opendir(path)
        for wait in waits where directory == nil && codes.contains(errno) {
            usleep(wait)
            directory = Glibc.opendir(path)
        }
        return directory
    }

    /// Raises this process's limit of open files to the most it may have: a shell's `ulimit -n`
    /// of a few dozen, or a parent that leaked descriptors into it, had a writer's checks fail
    /// as damage. Best effort.
    public static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
