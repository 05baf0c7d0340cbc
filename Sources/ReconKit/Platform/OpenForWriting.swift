import Glibc

/// Whether some program still holds a file open for writing, asked of the kernel with a read
/// lease (`fcntl(F_SETLEASE, F_RDLCK)`): it is granted only while no one does, and is let go
/// at once.
///
/// A file that held still for the watcher's stable time may be a writer's stalled between two
/// writes (a copy over a slow share, an export that paused): taken then, the rows written after
/// went into a file no longer in the Inbox, lost unsaid, and a row cut mid-value was billed cut.
public enum OpenForWriting {
    /// Linux's `F_SETLEASE` (`F_LINUX_SPECIFIC_BASE`), which Glibc's module leaves out.
    private static let setLease: Int32 = 1024

    /// A lease broken while held (a writer opening the file in the microseconds it is) is
    /// signalled with SIGIO, whose default action ends the process: ignored, once.
    private static let signalIgnored: Void = { _ = signal(SIGIO, SIG_IGN) }()

    /// true: a program holds `path` open for writing; false: none does; nil: the kernel cannot
    /// say (another user's file, which only its owner may lease; a file system without leases,
    /// such as a network share): the stable time alone decides then.
    public static func isHeld(_ path: String) -> Bool? {
        _ = signalIgnored
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        // Opening fails so only while another program holds a write lease on it (a file server).
        guard fd >= 0 else { return errno == EWOULDBLOCK ? true : nil }
        defer { close(fd) }
        guard fcntl(fd, setLease, Int32(F_RDLCK)) == 0 else { return errno == EAGAIN ? true : nil }
        _ = fcntl(fd, setLease, Int32(F_UNLCK))
        return false
    }
}
