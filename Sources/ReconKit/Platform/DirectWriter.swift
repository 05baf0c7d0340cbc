import Glibc

/// A large new file written around the page cache (`O_DIRECT`): from an aligned buffer of
/// this process straight to the disk.
///
/// A drop's archive, its cache and a closed month's report index are tens of megabytes,
/// written once and read later, if at all, by another command. Through the page cache each
/// 4 KB of them takes a fresh page of memory; on a virtual machine whose idle memory goes
/// back to its host (free page reporting) that cost 0.5–0.7 s for 54 MB, against 0.03 s
/// straight to the disk (the README: "Big files are written around the page cache"). A
/// file under one buffer (1 MB) goes through the page cache as before, and so does the tail
/// after a big file's last whole block, and everything on a file system that refuses
/// direct writes.
final class DirectWriter {
    /// The buffer: every direct write is this long but for the last.
    static let bufferBytes = 1 << 20

    /// Linux's `O_DIRECT`, which Glibc's module map leaves out; its value depends on the architecture.
    static var directFlag: Int32? {
        #if arch(x86_64) || arch(i386)
        return 0o40000
        #elseif arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }

    let path: String
    private var fd: Int32
    /// Direct writes want addresses, lengths and file offsets in whole blocks of the disk;
    /// 4096 suits disks of 512-byte and of 4 KB sectors.
    private let block: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    /// Whether the file is still open for direct writes.
    private var direct: Bool
    /// Whether any bytes went to the disk directly (tests ask).
    private(set) var wroteDirectly = false

    /// Creates the file at `path`, a new one. `block`: the direct writes' unit (tests give
    /// one the disk refuses, to see the writer fall back to the page cache).
    init(path: String, mode: mode_t = 0o644, block: Int = 4096) throws {
        self.path = path
        self.block = block
        // Always a new file (``FileIO/openNew(_:flags:mode:)``): never written through a name planted there.
        var fd: Int32 = -1
        if let flag = Self.directFlag {
            fd = FileIO.openNew(path, flags: flag, mode: mode)
            // A file system without direct I/O says EINVAL: the page cache then takes it all.
            if fd < 0 && errno != EINVAL { throw FileIO.Failure(path: path, action: "create", code: errno) }
        }
        direct = fd >= 0
        if fd < 0 { fd = FileIO.openNew(path, mode: mode) }
        guard fd >= 0 else { throw FileIO.Failure(path: path, action: "create", code: errno) }
        self.fd = fd
        buffer = .allocate(byteCount: Self.bufferBytes / block * block, alignment: 4096)
    }

    deinit {
        buffer.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Appends `bytes` to the file.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let n = min(rest.count, buffer.count - used)
            UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + n)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[..<n]))
            used += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if used == buffer.count {
                try put(UnsafeRawBufferPointer(buffer))
                used = 0
            }
        }
    }

    /// The file written (device and inode), known from its descriptor once ``finish(synced:)`` ran.
    private(set) var identity: FileIO.Identity?

    /// Writes what is left, fsyncs the file when `synced`, and closes it.
    func finish(synced: Bool) throws {
        defer {
            identity = FileIO.Identity(of: fd)
            close(fd)
            fd = -1
        }
        if used > 0 {
            let whole = wroteDirectly ? used / block * block : 0
            if whole > 0 { try put(UnsafeRawBufferPointer(rebasing: buffer[..<whole])) }
            // A short tail, or a file that stayed small: through the page cache.
            stopDirect()
            try FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[whole..<used]), path: path)
            used = 0
        }
        if synced, fsync(fd) != 0 { throw FileIO.Failure(path: path, action: "fsync", code: errno) }
    }

    /// Writes whole blocks, directly while the file system takes them.
    private func put(_ chunk: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < chunk.count && direct {
            let n = Glibc.write(fd, chunk.baseAddress! + done, chunk.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                // Blocks this disk does not take directly: nothing was written, the page cache takes it.
                guard errno == EINVAL else { throw FileIO.Failure(path: path, action: "write", code: errno) }
                stopDirect()
                break
            }
            done += n
            wroteDirectly = true
            // A short write leaves the file's end off a block: the rest goes through the page cache.
            if done < chunk.count { stopDirect() }
        }
        if done < chunk.count { try FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: chunk[done...]), path: path) }
    }

    private func stopDirect() {
        guard direct, let flag = Self.directFlag else { return }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~flag)
        direct = false
    }
}
