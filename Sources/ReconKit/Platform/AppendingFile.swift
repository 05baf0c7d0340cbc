import Glibc

/// A file opened for appending only (`O_APPEND`), closed when released: the ledger's
/// one way of growing.
///
/// Its size is read once the file is open, so a caller can check that nobody changed
/// the file since it was read before appending anything.
public final class AppendingFile {
    public let path: String
    private let descriptor: Int32

    /// Opens (creating, mode 0644) `path` for appending; a symbolic link in its place is
    /// refused, never appended through. Wraps `open` and `fstat`.
    public init(path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw FileIO.openFailure(path, errno) }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The file's size in bytes now (`fstat`).
    public func size() throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileIO.Failure(path: path, action: "stat", code: errno) }
        return Int(info.st_size)
    }

    /// Appends all of `bytes` and flushes them to disk before returning (`write`, `fsync`);
    /// returns the offset they landed at. The end of the file when written, which is where the
    /// caller checked it only if nobody else wrote to the file in between.
    @discardableResult
    public func appendDurably(_ bytes: [UInt8]) throws -> Int {
        try bytes.withUnsafeBytes { try FileIO.writeAll(descriptor, $0, path: path) }
        // This descriptor's own offset: just past the bytes it wrote, whatever others wrote since.
        let end = lseek(descriptor, 0, SEEK_CUR)
        guard fsync(descriptor) == 0 else { throw FileIO.Failure(path: path, action: "fsync", code: errno) }
        guard end >= 0 else { throw FileIO.Failure(path: path, action: "find the end of", code: errno) }
        return Int(end) - bytes.count
    }

    /// The file this descriptor holds, wherever its name is now.
    var identity: FileIO.Identity? { FileIO.Identity(of: descriptor) }

    /// The file this descriptor holds and when it was last written.
    var status: FileStatus? { FileStatus.of(descriptor: descriptor) }

    /// Cuts the file this descriptor holds to `length` bytes, durably (`ftruncate`, `fsync`).
    @discardableResult
    func cut(toLength length: Int) -> Bool {
        ftruncate(descriptor, off_t(length)) == 0 && fsync(descriptor) == 0
    }
}
