import Glibc

/// The Inbox folder could not be listed (`opendir` failed).
struct InboxScanError: Error, CustomStringConvertible {
    /// The folder that could not be listed.
    let path: String
    /// The `errno` that `opendir` set.
    let code: Int32

    var description: String {
        "Cannot list the Inbox folder \(path): \(String(cString: strerror(code))). "
            + "Check that it exists and that this user may read it."
    }
}
