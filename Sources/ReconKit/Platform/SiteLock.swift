import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One writer at a time per site: an advisory `flock` on `Ledger/writer.lock`.
///
/// A writer takes it exclusively; a reader that must see the ledger, its documents and
/// checkpoints as one consistent state (`recon verify`, `recon status`) takes it shared, so
/// it never reads a batch half-appended by a running writer. Whoever cannot get it waits up
/// to `timeout` seconds, then gives up with a clear message (exit 3). The lock goes with
/// the process: a writer killed by a crash holds nothing.
///
/// The folder the lock file is in (`Ledger/`) is locked as well, the same way, after the file:
/// a lock file removed while a writer runs (a cleanup job) let the next command make a new one
/// and append between the running writer's last look at its lock and its write, and the
/// ledger's seqs broke. A folder cannot be removed while it holds the ledger.
public final class SiteLock {
    private let fd: Int32
    /// The lock file's folder, locked after the file; -1 when it could not be opened (a reader's).
    private let folderFd: Int32
    public let path: String

    public struct Busy: Error, CustomStringConvertible {
        public let path: String
        public let waited: Double
        public var description: String {
            let seconds = waited < 10 ? String(Double(Int(waited * 10)) / 10) : String(Int(waited))
            return "another recon is writing this site (it holds \(path)); gave up after waiting \(seconds) s — "
                + "try again when it has finished, or wait longer with RECON_LOCK_TIMEOUT=SECONDS"
        }
    }

    /// Takes the lock exclusively, creating the lock file when needed.
    public convenience init(path: String, timeout: Double) throws {
        // Never through a link: it made the lock file elsewhere, and then read as one replaced
        // while this command ran, which no rerun could put right.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            let code = errno
            // A folder or a link in the lock's place is refused as the reader's check refuses it, not as an internal error.
            if code == EISDIR || code == ELOOP { throw SiteLock.notALockFile(path) }
            throw FileIO.Failure(path: path, action: "open the lock", code: code)
        }
        try SiteLock.requireRegular(fd, path)
        let started = SiteLock.monotonicSeconds()
        try SiteLock.acquire(fd: fd, path: path, operation: LOCK_EX, timeout: timeout)
        let folderFd = try SiteLock.lockFolder(holding: fd, path: path, operation: LOCK_EX, required: true,
                                               timeout: timeout, started: started)
        self.init(fd: fd, folderFd: folderFd, path: path)
    }

    /// Takes the lock shared, for a reader; nil when the lock file cannot be opened (a site
    /// on read-only media, or one no writer has touched), where no writer can be running.
    public static func shared(path: String, timeout: Double) throws -> SiteLock? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)  // a FIFO in its place must not hold `recon verify`
        guard fd >= 0 else {
            if errno == ELOOP { throw notALockFile(path) }
            return nil
        }
        try requireRegular(fd, path)
        let started = monotonicSeconds()
        try acquire(fd: fd, path: path, operation: LOCK_SH, timeout: timeout)
        let folderFd = try lockFolder(holding: fd, path: path, operation: LOCK_SH, required: false, timeout: timeout, started: started)
        return SiteLock(fd: fd, folderFd: folderFd, path: path)
    }

    /// Locks the folder of the lock file at `path`, the file (`fd`) held already, within what is
    /// left of `timeout` since `started`; its descriptor, or -1 when a reader (`required` false)
    /// cannot open it. Closes `fd` when it gives up.
    private static func lockFolder(holding fd: Int32, path: String, operation: Int32, required: Bool,
                                   timeout: Double, started: Double) throws -> Int32 {
        let folder = FileIO.parent(of: path)
        let folderFd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFd >= 0 else {
            guard required else { return -1 }
            let code = errno
            close(fd)
            // A folder this user may not read (`chmod 0300`): refused with what mends it, not an internal error.
            if code == EACCES || code == EPERM {
                throw ReconFailure.refused("cannot take the site's lock: this user cannot open \(folder) (\(String(cString: strerror(code)))), "
                    + "so nothing is written — give this user read and search permission on it (`chmod u+rx \(folder)`), "
                    + "or run recon as its owner")
            }
            throw FileIO.Failure(path: folder, action: "open the lock's folder", code: code)
        }
        do {
            try acquire(fd: folderFd, path: path, operation: operation, timeout: max(0, timeout - (monotonicSeconds() - started)))
        } catch {
            close(fd)
            throw error
        }
        return folderFd
    }

    /// The lock is a regular file, or no lock at all: anything else put there is refused (closing `fd`).
    private static func requireRegular(_ fd: Int32, _ path: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw notALockFile(path)
        }
    }

    private static func notALockFile(_ path: String) -> ReconFailure {
        ReconFailure.refused("\(path) is not a regular file (something else was put in the place of the site's lock); "
            + "nothing was read or written — remove it, and recon makes a new lock file")
    }

    /// Whether the file at `path` is still the one this lock holds: a lock file removed (or
    /// replaced) while a writer runs lets the next command take a new one at once, and two
    /// would write. A writer asks before it appends.
    public var isStillTheSitesLock: Bool {
        var held = stat(), there = stat()
        guard fstat(fd, &held) == 0, lstat(path, &there) == 0 else { return false }
        return held.st_dev == there.st_dev && held.st_ino == there.st_ino
    }

    private init(fd: Int32, folderFd: Int32, path: String) {
        self.fd = fd
        self.folderFd = folderFd
        self.path = path
    }

    /// What a waiting writer is told by the process it runs in: `recon watch` asks it to give up
    /// at once when a stop is requested (nothing is in hand while it waits), and to say, once,
    /// that it waits.
    public final class Waiting: @unchecked Sendable {
        private let lock = NSLock()
        private var stop = false
        private var notice: (@Sendable () -> Void)?

        /// Gives up every wait now and later in this process.
        public func giveUp() { lock.withLock { stop = true } }
        /// Called the first time a wait begins, each time one does. A process that says its
        /// wait itself also answers stop signals itself (`recon watch`).
        public func onWait(_ say: @escaping @Sendable () -> Void) { lock.withLock { notice = say } }
        var givenUp: Bool { lock.withLock { stop } }
        /// Says the wait began; false when no one asked to say it (the default words are then the lock's).
        func began() -> Bool {
            guard let say = lock.withLock({ notice }) else { return false }
            say()
            return true
        }
    }
    public static let waiting = Waiting()

    /// How a command says it waits for the lock, when it does not say so itself: a line on
    /// standard error (`recon` sets a JSON one under `--log-format json`).
    nonisolated(unsafe) public static var sayWaiting: (String) -> Void = {
        Terminal.writeBestEffort("recon: \($0)\n", to: Terminal.standardError)
    }

    /// Waits for `operation` on `fd`; closes `fd` when it gives up.
    private static func acquire(fd: Int32, path: String, operation: Int32, timeout: Double) throws {
        let started = monotonicSeconds()
        var said = false
        // While any other command waits: a stop signal ended it silently (exit 143, not a word),
        // and a signed credit's operator could not tell whether it had applied. Noted, it ends
        // the command saying nothing was recorded.
        var hold: SignalHold?
        defer { withExtendedLifetime(hold) {} }
        while flock(fd, operation | LOCK_NB) != 0 {
            let e = errno
            guard e == EWOULDBLOCK || e == EINTR else {
                close(fd)
                throw FileIO.Failure(path: path, action: "lock", code: e)
            }
            let waited = monotonicSeconds() - started
            if waited >= timeout || waiting.givenUp {
                close(fd)
                throw Busy(path: path, waited: waited)
            }
            if !said {
                if !waiting.began() {
                    sayWaiting("another recon command holds the site (\(path)); waiting up to \(Int(timeout.rounded(.up))) s for it "
                        + "to finish (RECON_LOCK_TIMEOUT=SECONDS to wait longer)")
                    hold = SignalHold()
                }
                said = true
            }
            hold?.stopIfAsked()
            usleep(UInt32(min(50_000, max(1_000, (timeout - waited) * 1_000_000))))
        }
        // One that came as the lock was given: the note goes with the hold.
        hold?.stopIfAsked()
    }

    private static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    deinit {
        if folderFd >= 0 {
            flock(folderFd, LOCK_UN)
            close(folderFd)
        }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
