import Glibc

/// One look at the Inbox folder: its regular files that may be drops, and the
/// entries that are never read.
///
/// Only the folder itself is listed, never its subfolders (`Inbox/rejected`,
/// `Inbox/held`). Entries are examined with `lstat`, so a symbolic link, a FIFO or a
/// device is never opened: with any other folder they are strays, to be moved aside.
struct InboxScan {
    /// Regular files with names that may be drops, in no particular order.
    let candidates: [DropCandidate]
    /// Entries that are not folders but are never read, with the reason, by name.
    let ignored: [String: String]
    /// Paths of symlinks, FIFOs, devices and folders (other than `held/` and `rejected/`)
    /// with names that may be drops: never read, moved to `rejected/` with a reason.
    let strays: [String]

    /// Lists `inbox` and examines each entry.
    ///
    /// - Throws: `InboxScanError` when the folder cannot be listed.
    init(inbox: String) throws {
        guard let directory = opendir(inbox) else {
            throw InboxScanError(path: inbox, code: errno)
        }
        defer { closedir(directory) }
        var candidates: [DropCandidate] = []
        var ignored: [String: String] = [:]
        var strays: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = inbox.hasSuffix("/") ? inbox + name : inbox + "/" + name
            guard let info = Self.status(of: path) else { continue }  // gone meanwhile
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR && (name == "held" || name == "rejected") { continue }
            if let reason = DropCandidate.reasonToIgnore(name: name) {
                if type != S_IFDIR { ignored[name] = reason }
                continue
            }
            guard type == S_IFREG else {
                strays.append(path)
                continue
            }
            candidates.append(Self.candidate(name: name, path: path, info: info))
        }
        self.candidates = candidates
        self.ignored = ignored
        self.strays = strays.sorted()
    }

    /// Whether `candidate` is still in place, unchanged.
    static func isUnchanged(_ candidate: DropCandidate) -> Bool {
        guard let info = status(of: candidate.path), info.st_mode & S_IFMT == S_IFREG else {
            return false
        }
        return Self.candidate(name: candidate.name, path: candidate.path, info: info) == candidate
    }

    private static func status(of path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    private static func candidate(name: String, path: String, info: stat) -> DropCandidate {
        DropCandidate(
            name: name,
            path: path,
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modifiedSeconds: Int64(info.st_mtim.tv_sec),
            modifiedNanoseconds: Int64(info.st_mtim.tv_nsec)
        )
    }
}
