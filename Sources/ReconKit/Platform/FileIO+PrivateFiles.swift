import Glibc

extension FileIO {
    /// Whether the failure was that the file already existed (`EEXIST`).
    public static func isAlreadyThere(_ failure: Failure) -> Bool { failure.code == EEXIST }

    /// Makes the folder `path` (and those above it) if need be, and sets it to owner-only
    /// (mode 0700): a folder of private keys. Made so by the call that makes it: made 0755 and
    /// then narrowed, a command killed in between left it readable by everyone, and the next
    /// one found it there and used it as it stood.
    public static func makePrivateDirectory(_ path: String) throws {
        try makeDirectory(path, mode: 0o700)
        chmod(path, 0o700)
    }

    /// Writes `bytes` to a new file at `path` that only its owner may read (mode 0600).
    ///
    /// The mode is set by the same call that creates the file (`O_CREAT | O_EXCL`), so it
    /// is never readable by others, not even for a moment; an existing file is never
    /// replaced. The file and its folder are flushed to disk before this returns; on
    /// failure no partial file is left behind.
    /// - Throws: ``Failure`` naming the step (`isAlreadyThere` tells an existing file).
    public static func createPrivately(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(path: path, action: "create", code: errno) }
        var closed = false
        do {
            defer { if !closed { close(fd) } }
            // The umask can only narrow 0600; make the mode exactly 0600 all the same.
            guard fchmod(fd, 0o600) == 0 else { throw Failure(path: path, action: "set mode 0600 on", code: errno) }
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
            guard fsync(fd) == 0 else { throw Failure(path: path, action: "flush to disk", code: errno) }
            closed = true
            guard close(fd) == 0 else { throw Failure(path: path, action: "close", code: errno) }
        } catch {
            unlink(path)
            throw error
        }
        // Makes the new entry durable too; a failure here loses nothing already written.
        try? syncDirectory(parent(of: path))
    }

    /// A small file's mode (`st_mode`: type and permission bits) and at most `limit` + 1
    /// of its bytes, read through one descriptor so the mode belongs to the bytes read
    /// (`open`, `fstat`, `read`).
    public static func readSmall(_ path: String, limit: Int) throws -> (mode: UInt32, bytes: [UInt8]) {
        // Opened without waiting (a FIFO no one writes to reads as empty, never hangs), then read
        // blocking, so a key handed over through a pipe (`--key <(…)`) still arrives whole.
        let fd = TransientErrors.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw Failure(path: path, action: "open", code: errno) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(path: path, action: "read the mode of", code: errno) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, action: "read", code: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        return (UInt32(info.st_mode), bytes)
    }
}
