#if canImport(Glibc)
import Glibc
#endif

/// One writer at a time per site: an advisory `flock` on `Ledger/writer.lock`.
///
/// A second writer waits up to `timeout` seconds, then gives up with a clear message (exit 3).
public final class SiteLock {
    private let fd: Int32
    public let path: String

    public struct Busy: Error, CustomStringConvertible {
        public let path: String
        public let waited: Double
        public var description: String {
            "another recon is writing this site (lock \(path) held for \(Int(waited)) s); try again when it has finished"
        }
    }

    public init(path: String, timeout: Double) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.Failure(path: path, action: "open the lock", code: errno) }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let e = errno
                close(fd)
                throw FileIO.Failure(path: path, action: "lock", code: e)
            }
            if waited >= timeout {
                close(fd)
                throw Busy(path: path, waited: waited)
            }
            usleep(50_000)
            waited += 0.05
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
