import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Reads a drop's bytes once, and only from a regular file (SPEC §2).
///
/// The entry is examined with `lstat` first, so a symbolic link, FIFO, device or folder is
/// never opened (opening a FIFO would wait for a writer); then it is opened with
/// `O_NOFOLLOW | O_NONBLOCK` and `fstat` must still say regular file, so an entry swapped
/// in between is refused too. What is hashed, parsed and archived is this one read.
public enum DropFile {
    /// The entry is not a regular file: it is never read.
    public struct NotRegular: Error, CustomStringConvertible {
        public let path: String
        /// What the entry is instead, for people: "a symbolic link", "a FIFO", …
        public let what: String
        public var description: String {
            "\(SafeText.escaped(FileIO.baseName(path))) is \(what), not a regular file; only regular files are drops (put the CSV file itself in place)"
        }
    }

    /// The largest drop read: a drop is read whole into memory, and a file larger than the
    /// memory free (a backup left in the Inbox, a sparse file) ended recon with a fatal
    /// allocation error on every ingest and watch, blocking the drops beside it. 1 GiB is
    /// some 15 million usage rows, fifteen times the largest month the benchmarks run.
    public static let largestBytes: Int64 = 1 << 30

    /// The bytes of the regular file at `path` when it could be a drop (never through a link,
    /// never waiting on a FIFO, never one over ``largestBytes``, which is no drop: a 64 GiB
    /// file in `Inbox/held/` was read whole by every command looking there, and ended each one
    /// with a fatal allocation error); nil otherwise.
    public static func readIfADrop(_ path: String) -> [UInt8]? {
        guard let info = FileStatus.of(path), info.kind == .regularFile, info.size <= largestBytes else { return nil }
        return try? FileIO.read(path, followingLinks: false)
    }

    /// The entry is a regular file larger than ``largestBytes``: it is never read.
    public struct TooLarge: Error, CustomStringConvertible {
        public let path: String
        public let size: Int64
        public var description: String {
            "\(SafeText.escaped(FileIO.baseName(path))) holds \(size) bytes, more than a drop may (\(DropFile.largestBytes) bytes, 1 GiB, "
                + "some 15 million usage rows): it was not read — split the export into files of at most 1 GiB (by month, say), "
                + "or, if it is no drop, keep it outside the Inbox"
        }
    }

    /// The entry is a file the user recon runs as may not open: it is never read.
    public struct Unreadable: Error, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String {
            guard code == EACCES || code == EPERM else {
                return "\(SafeText.escaped(FileIO.baseName(path))) cannot be read (\(String(cString: strerror(code)))): its bytes could not "
                    + "be had from the disk or share it is on — copy it again from its source and drop it again"
            }
            return "\(SafeText.escaped(FileIO.baseName(path))) cannot be read by the user recon runs as (\(String(cString: strerror(code)))): "
                + "it was not read — give that user read access (save it readable by the Inbox's group, or `chmod g+r`) and drop it again"
        }
    }

    /// Which file a path named when it was read (device and inode), and how it stood once read
    /// to its end (size and modification time): the entry is removed after the drop is taken
    /// only while it still names that file, unchanged.
    public struct Identity: Equatable, Sendable {
        let device: UInt64
        let inode: UInt64
        var size: Int64 = -1
        var modified: timespec = timespec()
        /// Who may read and write it (no execute bits): a held or rejected drop keeps them.
        public var permissions: mode_t = 0o644

        public static func == (a: Identity, b: Identity) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }

        init(_ st: stat) {
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            size = Int64(st.st_size)
            modified = st.st_mtim
            permissions = st.st_mode & 0o666
        }

        func isSameFile(as other: Identity) -> Bool { device == other.device && inode == other.inode }
    }

    /// What became of the entry a drop was read from when it was to be removed.
    public enum Removal: Equatable {
        case removed
        /// Another file took the name (a new drop renamed into it): left for the next command.
        case replaced
        /// The file read was written to after it was read: left, so no row written meanwhile is lost.
        case changed
        /// Nothing is there any more.
        case gone
        /// Still there: the folder would not let it go (its `errno`, a read-only Inbox say).
        case kept(Int32)
    }

    /// The bytes of the regular file at `path`.
    ///
    /// - Throws: ``NotRegular`` for anything else, `FileIO.Failure` when it cannot be read
    ///   (missing, unreadable).
    public static func read(_ path: String) throws -> [UInt8] { try readIdentified(path).bytes }

    /// Removes the entry at `path` if it still names the file read as `identity`. A writer may
    /// have renamed a new drop into the same name meanwhile (SPEC §2: drops arrive by rename):
    /// that one is a drop of its own, left in place for the next command, never removed unread.
    /// A file written to after it was read (a writer appending rows to a drop in place rather
    /// than renaming it in) is left as well: removed, the rows written after the read would be lost.
    ///
    /// The entry is first renamed aside (`.NAME.PID.taking`), which takes whatever file the name
    /// holds at that instant, and only the file read is removed: looked at, then unlinked, a new
    /// drop renamed into the name between the look and the unlink was deleted unrecorded. A file
    /// taken aside that is not the one read goes back under its name (``putBack(_:to:)``).
    @discardableResult
    public static func removeIfStill(_ path: String, _ identity: Identity) -> Removal {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .gone }
        let now = Identity(st)
        guard now.isSameFile(as: identity) else { return .replaced }
        guard now == identity else { return .changed }
        let asideName = "." + FileIO.baseName(path) + ".\(getpid())" + asideSuffix
        // A name too long to take the suffix (NAME_MAX bytes) is removed as it was looked at.
        guard asideName.utf8.count <= 255 else {
            if unlink(path) == 0 { return .removed }
            return errno == ENOENT ? .gone : .kept(errno)
        }
        let aside = FileIO.parent(of: path) + "/" + asideName
        guard rename(path, aside) == 0 else { return errno == ENOENT ? .gone : .kept(errno) }
        guard lstat(aside, &st) == 0 else { return .gone }
        let taken = Identity(st)
        if taken == identity {
            unlink(aside)  // one left by a failure here is put back by the next writer, and found recorded
            return .removed
        }
        putBack(aside, to: path)
        return taken.isSameFile(as: identity) ? .changed : .replaced
    }

    /// What a file taken aside for removal is named after: `.NAME.PID.taking`.
    static let asideSuffix = ".taking"

    /// Puts the file at `aside` back under `path`, never over a file there (a newer drop renamed
    /// into the name meanwhile): then under the next name free (`NAME-2`). Returns the name it took.
    @discardableResult
    public static func putBack(_ aside: String, to path: String) -> String? {
        let dir = FileIO.parent(of: path), name = FileIO.baseName(path)
        if link(aside, path) == 0 {
            unlink(aside)
            return name
        }
        let free = KeptName.free(in: dir, for: name)
        if link(aside, dir + "/" + free) == 0 {
            unlink(aside)
            return free
        }
        // A file system without hard links (a FAT-formatted share): renamed back while the name
        // is free, where a file renamed in at that very instant would be written over.
        return rename(aside, dir + "/" + free) == 0 ? free : nil
    }

    /// The files in `dir` a command stopped while taking a drop out left aside (of a process no
    /// longer running), each put back under its name: a new drop taken aside in that instant
    /// would otherwise wait hidden, and one whose bytes are recorded is then found so.
    public static func putBackLeftAside(in dir: String) -> [String] {
        leftAside(in: dir).compactMap { putBack(dir + "/" + $0.hidden, to: dir + "/" + $0.name) }
    }

    /// The files a stopped command set aside in `dir` as it took them (`.NAME.PID.taking`, its
    /// process no longer running), with the name each goes back under: drops still waiting,
    /// as `recon status` says, though only the next writer puts them back.
    public static func leftAside(in dir: String) -> [(hidden: String, name: String)] {
        FileIO.hiddenNames(in: dir).compactMap { hidden in
            guard hidden.hasSuffix(asideSuffix) else { return nil }
            let head = hidden.dropFirst().dropLast(asideSuffix.count)
            guard let dot = head.lastIndex(of: "."), let pid = pid_t(head[head.index(after: dot)...]), !WriterProcess.isRunning(pid),
                  head[..<dot].count > 0 else { return nil }
            return (hidden, String(head[..<dot]))
        }
    }

    /// The bytes of the regular file at `path`, which file that was, and the SHA-256 of the
    /// bytes. A large file is read in pieces and hashed on another core a piece behind the
    /// reads (``FileIO/fill(_:from:path:hashing:)``), into a buffer never filled with anything else first.
    public static func readIdentified(_ path: String) throws -> (bytes: [UInt8], identity: Identity, sha256: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw FileIO.Failure(path: path, action: "open", code: errno) }
        if let what = kind(st.st_mode) { throw NotRegular(path: path, what: what) }
        let fd = TransientErrors.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw NotRegular(path: path, what: "a symbolic link") }
            throw FileIO.Failure(path: path, action: "open", code: errno)
        }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { throw FileIO.Failure(path: path, action: "stat", code: errno) }
        if let what = kind(st.st_mode) { throw NotRegular(path: path, what: what) }
        if Int64(st.st_size) > largestBytes { throw TooLarge(path: path, size: Int64(st.st_size)) }
        var identity = Identity(st)
        /// One read(2) into `buffer`, again when a signal interrupts it; 0 at the end of the file.
        func readSome(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            while true {
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                if n >= 0 { return n }
                if errno != EINTR { throw FileIO.Failure(path: path, action: "read", code: errno) }
            }
        }
        let size = Int(st.st_size)
        var hash = SHA256()
        var out = try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            let filled = try FileIO.fill(buffer, from: fd, path: path, hashing: true)
            (count, hash) = (filled.count, filled.hash ?? hash)
        }
        // The size `fstat` gave is read; a file still growing is read to its end in small steps,
        // never by doubling a buffer as large as the file (a second copy of a 250 MB drop).
        var more = [UInt8](repeating: 0, count: 64 << 10)
        while out.count == size {
            let n = try more.withUnsafeMutableBytes { try readSome($0) }
            if n == 0 { break }
            out.append(contentsOf: more[..<n])
            hash.update(data: more[..<n])
        }
        // How the file stands once read: what was read is all it held, unless it changes after.
        if fstat(fd, &st) == 0 { identity = Identity(st) }
        if identity.size != Int64(out.count) { identity.size = -1 }  // written to while read: never "unchanged"
        return (out, identity, Hex.string(hash.finalize()))
    }

    /// What a non-regular entry is, or nil for a regular file.
    public static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// What the entry at `path` is when it is not a regular file (without following links).
    public static func nonRegularKind(_ path: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return kind(st.st_mode)
    }
}
