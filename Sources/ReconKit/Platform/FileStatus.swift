import Glibc

/// What the file system says about one path itself, a symbolic link not followed (`lstat`).
///
/// The Inbox is read through this: a drop is a regular file. Two statuses are equal when every
/// field is, the status-change time and names too: the ledger's writer reads a change of those
/// alone as "look at the bytes again".
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
    /// When the inode last changed (`st_ctim`): a write, a name added, new permissions. Unlike
    /// the modification time, no one can set it back, so a write whose time was put back shows here.
    public let changedSeconds: Int64
    public let changedNanoseconds: Int64
    /// How many names the file has (hard links: `cp -al` adds one to each file it copies).
    public let linkCount: Int
    /// Who may read, write and run it (`st_mode & 0o7777`).
    public let permissions: mode_t

    /// The status of `path`, or `nil` when nothing is there (gone meanwhile). Wraps `lstat`.
    public static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileStatus(info)
    }

    /// The status of the file an open descriptor holds, wherever its name is now (`fstat`): the
    /// ledger a writer read is the one it appends to only while this has not changed.
    static func of(descriptor fd: Int32) -> FileStatus? {
        var info = stat()
        guard fd >= 0, fstat(fd, &info) == 0 else { return nil }
        return FileStatus(info)
    }

    private init(_ info: stat) {
        let kind: Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regularFile
        case S_IFDIR: kind = .folder
        default: kind = .other
        }
        self.kind = kind
        (device, inode, size) = (UInt64(info.st_dev), UInt64(info.st_ino), Int64(info.st_size))
        (modifiedSeconds, modifiedNanoseconds) = (Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec))
        (changedSeconds, changedNanoseconds) = (Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec))
        (linkCount, permissions) = (Int(info.st_nlink), info.st_mode & 0o7777)
    }
}
