import Foundation

/// Where a workbook is assembled before it is renamed into place.
///
/// XLSX stands below ReconKit and cannot use its `FileIO`; these are the only file
/// questions a workbook asks, so they live here rather than in a file layer of its own.
///
/// The file is made new (`O_EXCL|O_NOFOLLOW`) and held open: libxlsxwriter is given the
/// open file (`/proc/self/fd/N`), not its name, and the bytes are read back and rewritten
/// through it. A link someone put at the name while the workbook was built is never
/// written through, and what the caller hashes is what libxlsxwriter wrote, not a file
/// swapped in: both happened, the forged file recorded as an issued invoice.
enum PartialFile {
    /// The folder part of a path, `.` when there is none.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// A hidden, unique name next to `path`: `folder/.NAME.1A2B3C4D.partial`.
    static func path(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(folder).\(name).\(UUID().uuidString.prefix(8)).partial"
    }

    /// Makes the hidden file new, or returns the errno that stopped it.
    static func create(_ partial: String) -> Result<Int32, Errno> {
        let fd = open(partial, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        return fd >= 0 ? .success(fd) : .failure(Errno(code: errno))
    }

    struct Errno: Error { let code: Int32 }

    /// The name libxlsxwriter opens: the open file itself where the system offers it,
    /// otherwise the hidden name (then only the check after the rename guards it).
    static func libraryName(fd: Int32, partial: String) -> String {
        let own = "/proc/self/fd/\(fd)"
        var seen = stat(), held = stat()
        guard stat(own, &seen) == 0, fstat(fd, &held) == 0, seen.st_ino == held.st_ino, seen.st_dev == held.st_dev else { return partial }
        return own
    }

    /// The whole file, read through `fd`.
    static func read(_ fd: Int32) -> Data? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var data = Data(count: Int(info.st_size))
        let complete = data.withUnsafeMutableBytes { buffer -> Bool in
            var done = 0
            while done < buffer.count {
                let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        return complete ? data : nil
    }

    /// Replaces the file's bytes with `data`, through `fd`; the errno on failure.
    static func rewrite(_ fd: Int32, with data: Data) -> Int32? {
        guard ftruncate(fd, 0) == 0 else { return errno }
        return data.withUnsafeBytes { buffer -> Int32? in
            var done = 0
            while done < buffer.count {
                let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return n < 0 ? errno : EIO }
                done += n
            }
            return nil
        }
    }

    /// Whether `path` is now the file `fd` holds (not a link, not another file renamed there).
    static func isHeld(_ fd: Int32, at path: String) -> Bool {
        var there = stat(), held = stat()
        return lstat(path, &there) == 0 && fstat(fd, &held) == 0 && there.st_ino == held.st_ino && there.st_dev == held.st_dev
    }
}
