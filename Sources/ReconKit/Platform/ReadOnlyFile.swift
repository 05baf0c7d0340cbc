import Glibc

/// A file opened for reading pieces at given offsets (`pread`), closed when released: a
/// closed period's index is read a bucket at a time, never whole.
final class ReadOnlyFile {
    let path: String
    private let descriptor: Int32

    init(_ path: String) throws {
        let fd = TransientErrors.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // a FIFO in its place is refused, not waited on
        guard fd >= 0 else { throw FileIO.Failure(path: path, action: "open", code: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileIO.Failure(path: path, action: "read (not a regular file)", code: EINVAL)
        }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Tells the system these bytes will be read soon: it starts reading them from the disk
    /// at once, alongside any others asked for, rather than one read at a time as they come.
    func willNeed(at offset: Int, count: Int) {
        _ = posix_fadvise(descriptor, off_t(offset), off_t(count), POSIX_FADV_WILLNEED)
    }

    /// Tells the system reads of this file jump about: it reads no more than each asks for.
    func readsAtRandom() {
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_RANDOM)
    }

    func size() throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileIO.Failure(path: path, action: "stat", code: errno) }
        return Int(info.st_size)
    }

    /// Exactly `count` bytes from `offset`; a file shorter than that is an error (EIO).
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            try read(at: offset, into: UnsafeMutableRawBufferPointer(buffer))
            filled = count
        }
    }

    /// Fills `buffer` with the bytes from `offset`; a file shorter than that is an error (EIO).
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var filled = 0
        while filled < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset + filled))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw FileIO.Failure(path: path, action: "read", code: n == 0 ? EIO : errno) }
            filled += n
        }
    }
}
