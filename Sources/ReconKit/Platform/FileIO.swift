import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Durable file operations: every write that matters goes to a temporary file in the same
/// folder, is flushed and fsynced, then renamed over its name, and the folder is fsynced.
public enum FileIO {
    /// A file system call that failed, with the path and the system's own words.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let action: String
        public let code: Int32
        /// The system's own words for `code` (`strerror`).
        public var reason: String { String(cString: strerror(code)) }
        public var description: String { "cannot \(action) \(path): \(reason)\(ownership)" }
        /// Whether the system refused this user (a permission), not the file's bytes.
        public var isPermission: Bool { code == EACCES || code == EPERM }
        /// Whether the machine failed (an I/O error, the file table full, memory short), not the
        /// file's place or bytes: nothing about the site can be judged from it.
        public var isMachineFailure: Bool { TransientErrors.codes.contains(code) }
        /// For a file this user may not open: whose it is and what mends it (a command run once
        /// as root with umask 077 left files only root could read, said as a bare "Permission denied").
        private var ownership: String {
            guard code == EACCES else { return "" }
            var info = stat()
            guard lstat(path, &info) == 0, info.st_uid != geteuid() else { return "" }
            return " (it belongs to uid \(info.st_uid), mode \(String(info.st_mode & 0o7777, radix: 8)); this command runs as uid "
                + "\(geteuid()) — run recon as the user who owns the site, or give that file back to it, `chown`)"
        }
        /// The action of a file too large to read whole: its size, and why that is not recon's.
        static func readTooLarge(_ size: Int) -> String {
            "read (it is \(size) bytes, more than this machine's memory: recon writes no file that large; move it aside)"
        }
        /// A folder, FIFO, socket or device stands where a file was expected (``requireRegular(_:_:)``).
        public var isNotARegularFile: Bool {
            code == EISDIR || code == ENOTDIR || (code == EINVAL && action.hasSuffix("(not a regular file)"))
        }
    }

    /// `open`'s failure; ELOOP under `O_NOFOLLOW` is a symbolic link where a file was expected.
    static func openFailure(_ path: String, _ code: Int32) -> Failure {
        code == ELOOP ? Failure(path: path, action: "open a symbolic link (not a regular file)", code: EINVAL)
            : Failure(path: path, action: "open", code: code)
    }

    /// Throws unless `info` (from `fstat`) is a regular file's: a folder says so (EISDIR), a
    /// FIFO, socket or device is "not a regular file" — its size says nothing of its bytes.
    static func requireRegular(_ info: stat, _ path: String) throws {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw Failure(path: path, action: "read", code: EISDIR)
        default: throw Failure(path: path, action: "read (not a regular file)", code: EINVAL)
        }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a folder and its parents (mode 0755, less the umask); a folder already
    /// there is fine. A failure names the folder that could not be made and the real
    /// `errno` of `mkdir` (a file in the way, a full disk, a read-only file system…).
    /// `mode`: the folder's own (those above it are made 0755).
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let above = parent(of: path)
        if above != path && above != "." && above != "/" && !isDirectory(above) { try makeDirectory(above) }
        guard mkdir(path, mode) != 0 else { return }
        let code = errno
        if code == EEXIST && isDirectory(path) { return }  // made meanwhile by another process
        throw Failure(path: path, action: "create the folder", code: code)
    }

    /// The whole file; with `followingLinks` false, a symbolic link in its place is refused as
    /// not a regular file.
    public static func read(_ path: String, followingLinks: Bool = true) throws -> [UInt8] {
        let (fd, size) = try openRegular(path, followingLinks: followingLinks)
        defer { close(fd) }
        // A file larger than the machine's memory cannot be read whole (a sparse 8 TB file put
        // in a note's place ended every command with a fatal allocation error, exit 134), and
        // recon writes none that large: refused, naming it.
        guard UInt64(size) <= readWholeLimit else { throw Failure(path: path, action: Failure.readTooLarge(size), code: EFBIG) }
        // The bytes are read straight into the array's storage, never zeroed first.
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = try fill(buffer, from: fd, path: path, hashing: false).count
        }
    }

    /// `path` opened for reading, and its size: refused unless it is a regular file. Opened
    /// without waiting, so a FIFO put in a file's place is refused, never waited on; with
    /// `followingLinks` false a symbolic link in its place is refused too.
    static func openRegular(_ path: String, followingLinks: Bool) throws -> (fd: Int32, size: Int) {
        let fd = TransientErrors.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw openFailure(path, errno) }
        var st = stat()
        do {
            guard fstat(fd, &st) == 0 else { throw Failure(path: path, action: "stat", code: errno) }
            try requireRegular(st, path)
        } catch {
            close(fd)
            throw error
        }
        return (fd, Int(st.st_size))
    }

    /// The largest file ``read(_:followingLinks:)`` reads whole: the machine's memory.
    static let readWholeLimit = ProcessInfo.processInfo.physicalMemory

    /// Files this large are hashed on another core while they are read; smaller ones after.
    static let hashedBehindFrom = 4 << 20
    /// The bytes one read(2) asks for while another thread hashes them a piece at a time.
    static let readPiece = 2 << 20

    /// Reads `fd` into `buffer` until it is full or the file ends (a read a signal interrupts is
    /// asked again); how many bytes came and, with `hashing`, their SHA-256 to finalize or go
    /// on with: a buffer of ``hashedBehindFrom`` bytes or more is read in ``readPiece``s and
    /// hashed on another thread a piece behind the reads (``TrailingHasher``), a smaller one after.
    static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, from fd: Int32, path: String,
                     hashing: Bool) throws -> (count: Int, hash: SHA256?) {
        let trailing = hashing && buffer.count >= hashedBehindFrom ? TrailingHasher(UnsafeRawPointer(buffer.baseAddress!)) : nil
        // In pieces when another thread follows the reads; else in one.
        let step = trailing == nil ? buffer.count : readPiece
        var done = 0
        var failure: Int32?
        while done < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + done, min(step, buffer.count - done))
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            if n == 0 { break }
            done += n
            trailing?.written(upTo: done)
        }
        if let failure {
            // The hashing thread reads the buffer until it is finished: not left running over
            // a buffer about to be let go.
            _ = trailing?.finish()
            throw Failure(path: path, action: "read", code: failure)
        }
        if let trailing { return (done, trailing.finish()) }
        guard hashing else { return (done, nil) }
        var hash = SHA256()
        hash.update(bufferPointer: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<done])))
        return (done, hash)
    }

    /// Writes all of `bytes` to an open descriptor.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, action: "write", code: errno)
            }
            done += n
        }
    }

    /// Writes `bytes` to `path` durably: temp file, fsync, rename, fsync of the folder.
    /// `exactMode`: the file has `mode` itself, not `mode` narrowed by the umask (a held or
    /// rejected drop keeps its own permissions).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, exactMode: Bool = false) throws {
        let temp = temporaryName(for: path)
        try writeSynced(temp, bytes, mode: mode)
        do {
            if exactMode, chmod(temp, mode) != 0 { throw Failure(path: temp, action: "set the mode of", code: errno) }
            try renameDurably(temp, to: path)
        } catch {
            unlink(temp)  // this command's own: never left for the next to sweep as an interrupted one's
            throw error
        }
    }

    /// Puts a file written at `temp` (by a library, say) in place at `path`, synced; a failure
    /// removes `temp`, so a write that failed leaves nothing behind for the next command to sweep.
    public static func placeWritten(_ temp: String, at path: String) throws {
        do {
            try syncFile(temp)
            try renameDurably(temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Writes `bytes` to a new file at `path` and fsyncs it; on failure nothing is left there.
    /// Returns the file written, as its descriptor knew it: what a later rename must move (a
    /// file swapped in at the name after the write, or during it, is another).
    @discardableResult
    public static func writeSynced(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws -> Identity? {
        if bytes.count >= DirectWriter.bufferBytes {
            // A file of megabytes (a drop's archive, the documents' seal): around the page cache (``DirectWriter``).
            do {
                return try writeStreaming(path, synced: true, mode: mode) { sink in try bytes.withUnsafeBytes { try sink($0) } }
            } catch {
                unlink(path)
                throw error
            }
        }
        let fd = openNew(path, mode: mode)
        guard fd >= 0 else { throw Failure(path: path, action: "create", code: errno) }
        do {
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
            guard fsync(fd) == 0 else { throw Failure(path: path, action: "fsync", code: errno) }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        defer { close(fd) }
        return Identity(of: fd)
    }

    /// A file's device and inode: which file a name stands for.
    public struct Identity: Equatable, Sendable {
        let device: UInt64, inode: UInt64

        /// The file an open descriptor holds.
        init?(of fd: Int32) {
            var info = stat()
            guard fd >= 0, fstat(fd, &info) == 0 else { return nil }
            (device, inode) = (UInt64(info.st_dev), UInt64(info.st_ino))
        }

        /// The file at `path` itself (a link is not followed).
        init?(at path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            (device, inode) = (UInt64(info.st_dev), UInt64(info.st_ino))
        }
    }

    /// Opens a file recon makes at `path` (always a hidden temporary name) for writing: a new
    /// file, never one already there. Anyone may write to the site folder, and a temporary
    /// name is no secret while the command runs: a symbolic link planted there was written
    /// through (over a file outside the site, or the ledger truncated), a hard link to the
    /// ledger truncated it. A name found there is taken away (the name only: what it pointed to
    /// is untouched) and the file made anew; a name planted again meanwhile fails the write.
    /// A descriptor, or -1 with `errno` set.
    static func openNew(_ path: String, flags: Int32 = 0, mode: mode_t) -> Int32 {
        let new = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | flags
        let fd = open(path, new, mode)
        guard fd < 0, errno == EEXIST else { return fd }
        unlink(path)
        return open(path, new, mode)
    }

    /// Renames and fsyncs the destination folder (and the source's, when it differs).
    public static func renameDurably(_ from: String, to: String) throws {
        // renameat is rename; a tool that traces by path (`strace -P`) sees both of its paths.
        guard renameat(AT_FDCWD, from, AT_FDCWD, to) == 0 else { throw Failure(path: to, action: "rename \(from) to", code: errno) }
        try syncDirectory(parent(of: to))
        if parent(of: from) != parent(of: to) { try syncDirectory(parent(of: from)) }
    }

    /// fsyncs an existing file (after a library such as libxlsxwriter wrote it).
    public static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, action: "open", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(path: path, action: "fsync", code: errno) }
    }

    /// fsyncs a folder, so a rename or link in it survives a power cut. A failure is thrown: the
    /// disk promises nothing of the rename then (an ingest had said "accepted" and removed the
    /// drop from the Inbox, a close removed its checkpoint-owed note, after the disk refused).
    /// A file system that cannot fsync a folder at all (EINVAL) has nothing more to promise.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, action: "open the folder", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { throw Failure(path: path, action: "fsync the folder", code: errno) }
    }

    /// Copies a file durably (used to archive a named drop that lives outside the Inbox).
    public static func copyDurably(_ from: String, to: String) throws {
        try writeAtomically(to, try read(from))
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// Removes a file, or says why it could not.
    public static func removeChecked(_ path: String) throws {
        guard unlink(path) == 0 else { throw Failure(path: path, action: "remove", code: errno) }
    }

    /// The names in a folder (no `.` or `..`), or an empty list when it does not exist.
    public static func list(_ dir: String) -> [String] {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: dir) { return names.sorted() }
        // A folder this user may list that failed for a moment (``TransientErrors``): a
        // checkpoints folder listed empty had its checkpoints "appear while this command ran".
        guard isDirectory(dir), access(dir, R_OK | X_OK) == 0 else { return [] }
        for wait in TransientErrors.waits {
            usleep(wait)
            if let names = try? FileManager.default.contentsOfDirectory(atPath: dir) { return names.sorted() }
        }
        return []
    }

    /// The names in `dir` when it is a folder itself, not a link to one (none otherwise).
    public static func listOwnFolder(_ dir: String) -> [String] {
        FileStatus.of(dir)?.kind == .folder ? list(dir) : []
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` itself is a symbolic link (not followed), dangling or not.
    public static func isSymbolicLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// `.NAME.PID.tmp` beside the target: never read as a drop, never mistaken for a document.
    public static func temporaryName(for path: String) -> String {
        let dir = parent(of: path)
        let name = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        return (dir.isEmpty ? "" : dir + "/") + "." + name + ".\(getpid()).tmp"
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func baseName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}

extension FileIO {
    /// The absolute, symlink-free path.
    public static func realPath(_ path: String) throws -> String {
        guard let p = realpath(path, nil) else { throw Failure(path: path, action: "resolve", code: errno) }
        defer { free(p) }
        return String(cString: p)
    }

    /// `path` as an absolute path with its links resolved, as far as it exists: its nearest
    /// existing folder's real path and the rest as written (`..` and `.` taken out), so a
    /// file or folder not made yet is placed where it would be made.
    static func resolvedPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var existing = (absolute as NSString).standardizingPath
        var rest: [String] = []
        while !exists(existing), existing != "/" {
            rest.insert(baseName(existing), at: 0)
            existing = parent(of: existing)
        }
        let real = (try? realPath(existing)) ?? existing
        return rest.isEmpty ? real : (real == "/" ? "" : real) + "/" + rest.joined(separator: "/")
    }

    /// Puts `from`'s bytes at `to` durably: a hard link when both are on one file system
    /// (no copy of a large drop), else a copy; then fsync of the folder.
    public static func linkOrCopyDurably(_ from: String, to: String) throws {
        let temp = temporaryName(for: to)
        unlink(temp)
        if link(from, temp) == 0 {
            try syncFile(temp)
            try renameDurably(temp, to: to)
            unlink(temp)  // renaming onto another link of the same file leaves the name in place
        } else {
            try copyDurably(from, to: to)
        }
    }
}

extension FileIO {
    /// Flushes every file of the file system holding `path` (one call for a batch of documents).
    public static func syncFileSystem(of path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, action: "open the folder", code: errno) }
        defer { close(fd) }
        guard linuxSyncfs(fd) == 0 else { throw Failure(path: path, action: "sync the file system of", code: errno) }
    }

    /// Writes what `produce` hands to its sink, piece by piece, as a new file at `path`,
    /// fsynced when `synced`; a piece the file cannot take throws from the sink. A file of
    /// megabytes goes around the page cache (``DirectWriter``).
    /// Returns the file written, as its descriptor knew it (``writeSynced(_:_:mode:)``).
    @discardableResult
    public static func writeStreaming(_ path: String, synced: Bool, mode: mode_t = 0o644,
                                      producing produce: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Identity? {
        let file = try DirectWriter(path: path, mode: mode)
        try produce { try file.write($0) }
        try file.finish(synced: synced)
        return file.identity
    }

    /// Writes a file that needs no durability (a cache): no fsync.
    public static func writeWithoutSync(_ path: String, _ bytes: [UInt8]) throws {
        let fd = openNew(path, mode: 0o644)
        guard fd >= 0 else { throw Failure(path: path, action: "create", code: errno) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    /// Renames without syncing the folder; the caller syncs each folder once after a batch.
    public static func renameQuietly(_ from: String, to: String) throws {
        // renameat is rename; a tool that traces by path (`strace -P`) sees both of its paths.
        guard renameat(AT_FDCWD, from, AT_FDCWD, to) == 0 else { throw Failure(path: to, action: "rename \(from) to", code: errno) }
    }
}

/// `syncfs(2)`: Glibc's module map hides it behind _GNU_SOURCE.
@_silgen_name("syncfs")
private func linuxSyncfs(_ fd: Int32) -> Int32
