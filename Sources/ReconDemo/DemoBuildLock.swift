import Foundation
import ReconKit
#if canImport(Glibc)
import Glibc
#endif

/// The lock one `recon demo` holds on its folder while it builds: an advisory `flock` on the
/// folder itself, so no file is made in a folder the demo then refuses. A second demo on the
/// same folder waits for it (up to `RECON_LOCK_TIMEOUT`), then says it is busy (exit 3); it
/// never clears a demo being built. Commands at work in the folder hold the site's own lock.
final class DemoBuildLock {
    private let fd: Int32

    /// Takes the lock on `folder`, making the folder when it is not there yet.
    init(folder: String, timeout: Double) throws {
        try FileIO.makeDirectory(folder)
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ReconFailure.usage("cannot open \(folder) to lock it for the demo: \(String(cString: strerror(errno)))")
        }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waited < timeout else {
                close(fd)
                throw ReconFailure.refused("another `recon demo` is building \(folder); gave up after waiting \(Int(waited)) s — "
                    + "let it finish, or wait longer with RECON_LOCK_TIMEOUT=SECONDS")
            }
            usleep(50_000)
            waited += 0.05
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
