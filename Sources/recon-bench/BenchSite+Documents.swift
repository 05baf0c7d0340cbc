import Foundation
import ReconKit

/// The site between measured runs. On a real site a year's workbooks, drops, caches and
/// indexes were written long before today's command, and writers skip the documents whose
/// files still have the stamp they sealed (inode and status-change time). Copying the whole
/// site back before each run (`cp -a`, 1.8 GB after a year) gave every file a new inode and
/// left the kernel busy with the copy's aftermath while the command ran: a 10-row drop after
/// a year measured 0.11–0.17 s so (median 0.135 s) against 0.10–0.12 s (0.11 s) when only
/// what the run changed was put back, six runs of each in turns. So only that is put back, as
/// `rsync` would: what the run added is removed, and what it changed or removed is copied
/// back with its mode and times (`cp -a`); everything else stays as it was.
extension BenchSite {
    /// The folders of final documents under `Outbox/YYYY-MM/`, relative to `root`.
    static func documentFolders(in root: String) -> [String] {
        let kinds = Set(DocumentKind.allCases.map(\.folder)).sorted()
        return FileIO.list(root + "/Outbox").flatMap { period in
            kinds.map { "Outbox/\(period)/\($0)" }
        }.filter { FileIO.isDirectory(root + "/" + $0) }
    }

    /// Puts the site back as `before` holds it, touching only what the run changed: an entry
    /// counts as unchanged when its type, mode, size and modification time (to the
    /// nanosecond, which `cp -a` keeps) are those of its copy in `before`.
    func restore(from before: String) throws {
        let fm = FileManager.default
        let now = Self.tree(site), was = Self.tree(before)
        // What the run added, a folder with all it holds.
        var removed: [String] = []
        for path in now.keys.sorted() where was[path] == nil && !removed.contains(where: { path.hasPrefix($0 + "/") }) {
            try fm.removeItem(atPath: site + "/" + path)
            removed.append(path)
        }
        // What it changed or removed, a missing folder with all it holds.
        var copied: [String] = []
        for path in was.keys.sorted() where !copied.contains(where: { path.hasPrefix($0 + "/") }) {
            let entry = was[path]!
            if let current = now[path] {
                if current == entry { continue }
                if current.isDirectory && entry.isDirectory { continue }  // a folder's own times do not matter here
                try fm.removeItem(atPath: site + "/" + path)
            }
            try copyTree(before + "/" + path, to: site + "/" + path)
            if entry.isDirectory { copied.append(path) }
        }
    }

    /// What `lstat` says of an entry, as far as a restore compares it.
    private struct Entry: Equatable {
        var mode: UInt32
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int64
        var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
    }

    /// Every entry under `root` by its path relative to it, without following links.
    private static func tree(_ root: String) -> [String: Entry] {
        var out: [String: Entry] = [:]
        guard let walk = FileManager.default.enumerator(atPath: root) else { return out }
        while let path = walk.nextObject() as? String {
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { continue }
            out[path] = Entry(mode: info.st_mode, size: Int64(info.st_size),
                              modified: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int64(info.st_mtim.tv_nsec))
        }
        return out
    }

    /// Waits until every issued document's status-change time is older than the seal's
    /// settling time (the condition itself, read from the files), then runs one writer that
    /// changes nothing (`recon ingest` of an empty Inbox, a watcher's pass): the site as it
    /// stands the morning after a close.
    func settleDocuments(now: String) throws {
        let files = Self.documentFolders(in: site).flatMap { folder in
            FileIO.list(site + "/" + folder).map { site + "/" + folder + "/" + $0 }
        }
        let newest = files.compactMap { FileStamp.of($0)?.changed }.max()
        if let newest {
            let until = Double(newest.seconds) + Double(newest.nanoseconds) / 1e9 + Double(DocumentSeal.settleSeconds) + 0.1
            let wait = until - Date().timeIntervalSince1970
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
        sync()
        try recon.run(["ingest", "--site", site], now: now, label: nil)
    }
}
