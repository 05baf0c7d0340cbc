import Glibc

/// Standard input, output and error, each open: started with one closed (`recon credit >&-`),
/// the next file recon opened took its number, and the command's answer was written into
/// `Ledger/writer.lock`. A closed one is opened on `/dev/null` before anything else is.
public enum StandardStreams {
    public static func openClosedOnes() {
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            // open gives the lowest free number, this one; anything else is moved onto it.
            if null >= 0 && null != fd {
                dup2(null, fd)
                close(null)
            }
        }
    }
}
