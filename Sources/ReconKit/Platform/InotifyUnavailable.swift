import Glibc

/// Why inotify cannot watch the Inbox here; the watcher then polls instead.
struct InotifyUnavailable: Error, CustomStringConvertible {
    /// The C call that failed.
    let call: String
    /// The `errno` it set.
    let code: Int32

    var description: String {
        "\(call) failed: \(String(cString: strerror(code)))"
    }
}
