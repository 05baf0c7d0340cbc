import Crypto
import Glibc

/// What identifies one state of a regular file's bytes without reading them: its device,
/// inode, size, and modification and status-change times to the nanosecond.
///
/// The kernel sets the status-change time (`ctime`) to the current time whenever the file's
/// bytes or inode change, and no call sets it back; so a file whose stamp is the same as when
/// it was hashed — and whose `ctime` was already older than that moment by more than the
/// clock's step — holds the bytes that were hashed (``DocumentSeal``).
public struct FileStamp: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modified: Instant
    public let changed: Instant

    /// A file system time: seconds and nanoseconds since 1970.
    public struct Instant: Equatable, Comparable, Sendable {
        public let seconds: Int64
        public let nanoseconds: Int64

        public static func < (a: Instant, b: Instant) -> Bool {
            (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
        }

        /// The wall clock as the kernel stamps files with it (the coarse real-time clock).
        public static func now() -> Instant {
            var t = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &t)
            return Instant(seconds: Int64(t.tv_sec), nanoseconds: Int64(t.tv_nsec))
        }

        public func minus(seconds s: Int64) -> Instant { Instant(seconds: seconds - s, nanoseconds: nanoseconds) }

        /// `SECONDS.NANOSECONDS`, the nanoseconds as nine digits.
        public var text: String {
            let ns = String(nanoseconds)
            return "\(seconds).\(String(repeating: "0", count: max(0, 9 - ns.count)))\(ns)"
        }
    }

    /// `DEVICE INODE SIZE MTIME CTIME`, each time as `SECONDS.NANOSECONDS` (nine digits).
    public var text: String { "\(device) \(inode) \(size) \(modified.text) \(changed.text)" }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Instant(seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec))
        changed = Instant(seconds: Int64(info.st_ctim.tv_sec), nanoseconds: Int64(info.st_ctim.tv_nsec))
    }

    public init(device: UInt64, inode: UInt64, size: Int64, modified: Instant, changed: Instant) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    /// The stamp of the regular file at `path` itself (a symbolic link is not followed), or nil
    /// when there is none there or it is something else.
    public static func of(_ path: String) -> FileStamp? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileStamp(info)
    }

    /// Reads the regular file at `path` and gives the SHA-256 of its bytes, in hex, with the
    /// file's stamp taken on the open file before and after reading: the two differ when it
    /// changed while it was read. A symbolic link is followed, as `recon verify` follows it;
    /// its stamp is then the target's, which ``of(_:)`` never gives for the link's path.
    public static func hashing(_ path: String) throws -> (sha256: String, before: FileStamp, after: FileStamp) {
        let fd = TransientErrors.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // a FIFO in its place is refused below, not waited on
        guard fd >= 0 else { throw FileIO.Failure(path: path, action: "open", code: errno) }
        defer { close(fd) }
        func stamp() throws -> FileStamp {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw FileIO.Failure(path: path, action: "stat", code: errno) }
            guard info.st_mode & S_IFMT == S_IFREG else { throw FileIO.Failure(path: path, action: "read (not a regular file)", code: EINVAL) }
            return FileStamp(info)
        }
        let before = try stamp()
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw FileIO.Failure(path: path, action: "read", code: errno) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
        return (Hex.string(hasher.finalize()), before, try stamp())
    }
}
