import Glibc

/// Standard error as a terminal a person may be watching.
public enum Terminal {
    /// The descriptor of standard error.
    public static let standardError: Int32 = STDERR_FILENO

    /// Whether `descriptor` is a terminal (`isatty`).
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Writes `text` to `descriptor`, giving up quietly on an error: what is written here (a
    /// progress or log line) is never worth failing the work for, least of all after a commit
    /// (`write`). `FileHandle.write(_:)` traps when the write fails (standard error sent to a
    /// file past a file-size limit, or on a full disk).
    public static func writeBestEffort(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
