import Glibc

/// What the file system says about one path itself, a symbolic link not followed (`lstat`).
///
/// The Inbox is read through this: a drop is a regular file, and a watcher knows a file
/// has held still when its device, inode, size and modification time have not changed.
public struct FileStatus: Equatable, Sendable {
    /// The kinds of entry the Inbox tells apart.
    public enum Kind: Sendable, Equatable {
        case regularFile
        case folder
        /// A symbolic link, FIFO, socket or device.
        case other
    }

    public let kind: Kind
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modifiedSeconds: Int64
    public let modifiedNanoseconds: Int64

    /// The status of `path`, or `nil` when nothing is there (gone meanwhile). Wraps `lstat`.
    public static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let kind: Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regularFile
        case S_IFDIR: kind = .folder
        default: kind = .other
        }
        return FileStatus(
            kind: kind, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int64(info.st_mtim.tv_nsec))
    }
}
