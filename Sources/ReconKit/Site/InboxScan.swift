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
    /// Entries whose names are not UTF-8 (other than never-read names): rejected by name.
    let undecodable: [UndecodableName]

    /// Lists `inbox` and examines each entry.
    ///
    /// - Throws: `InboxScanError` when the folder cannot be listed.
    init(inbox: String) throws {
        let rawNames: [[UInt8]]
        do {
            rawNames = try FileIO.rawNames(in: inbox)
        } catch let failure as FileIO.Failure {
            throw InboxScanError(path: inbox, code: failure.code)
        }
        var candidates: [DropCandidate] = []
        var ignored: [String: String] = [:]
        var strays: [String] = []
        var undecodable: [UndecodableName] = []
        for raw in rawNames {
            if let odd = UndecodableName(raw) {
                if DropCandidate.reasonToIgnore(name: odd.replaced) == nil { undecodable.append(odd) }
                continue
            }
            let name = String(decoding: raw, as: UTF8.self)
            let path = inbox.hasSuffix("/") ? inbox + name : inbox + "/" + name
            guard let info = FileStatus.of(path) else { continue }  // gone meanwhile
            if name == "held" || name == "rejected" { continue }  // the site's own folders, never a drop (ingest checks them)
            if info.kind == .folder && NASFolder.names.contains(name) { continue }  // a NAS's own (``NASFolder``)
            if let reason = DropCandidate.reasonToIgnore(name: name) {
                if info.kind != .folder { ignored[name] = reason }
                continue
            }
            guard info.kind == .regularFile else {
                strays.append(path)
                continue
            }
            candidates.append(Self.candidate(name: name, path: path, info: info))
        }
        self.candidates = candidates
        self.ignored = ignored
        self.strays = strays.sorted()
        self.undecodable = undecodable.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// Whether `candidate` is still in place, unchanged.
    static func isUnchanged(_ candidate: DropCandidate) -> Bool {
        guard let info = FileStatus.of(candidate.path), info.kind == .regularFile else {
            return false
        }
        return Self.candidate(name: candidate.name, path: candidate.path, info: info) == candidate
    }

    private static func candidate(name: String, path: String, info: FileStatus) -> DropCandidate {
        DropCandidate(
            name: name,
            path: path,
            device: info.device,
            inode: info.inode,
            size: info.size,
            modifiedSeconds: info.modifiedSeconds,
            modifiedNanoseconds: info.modifiedNanoseconds
        )
    }
}
