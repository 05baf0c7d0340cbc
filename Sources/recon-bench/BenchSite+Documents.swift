import Foundation
import ReconKit

/// Issued documents between measured runs. On a real site a year's workbooks were issued long
/// before today's command, and writers skip the ones whose files still have the stamp they
/// sealed (inode and status-change time). A `cp -a` gives every file a new inode and time, so
/// every run after the first would pay for hashing them all: the folders of final documents a
/// run left as they were are moved back as folders instead, keeping their files untouched.
extension BenchSite {
    /// The folders of final documents under `Outbox/YYYY-MM/`, relative to `root`.
    static func documentFolders(in root: String) -> [String] {
        let kinds = Set(DocumentKind.allCases.map(\.folder)).sorted()
        return FileIO.list(root + "/Outbox").flatMap { period in
            kinds.map { "Outbox/\(period)/\($0)" }
        }.filter { FileIO.isDirectory(root + "/" + $0) }
    }

    /// Puts the site back as `before` holds it: copied, but for the document folders the run
    /// left exactly as they were (the same names), which are moved back.
    func restore(from before: String) throws {
        let fm = FileManager.default
        let stash = site + ".documents"
        try? fm.removeItem(atPath: stash)
        var kept: [String] = []
        for folder in Self.documentFolders(in: before) where FileIO.isDirectory(site + "/" + folder) {
            guard FileIO.list(site + "/" + folder) == FileIO.list(before + "/" + folder) else { continue }
            let parked = stash + "/" + folder
            try FileIO.makeDirectory(FileIO.parent(of: parked))
            try fm.moveItem(atPath: site + "/" + folder, toPath: parked)
            kept.append(folder)
        }
        try fm.removeItem(atPath: site)
        try copyTree(before, to: site)
        for folder in kept {
            try fm.removeItem(atPath: site + "/" + folder)
            try fm.moveItem(atPath: stash + "/" + folder, toPath: site + "/" + folder)
        }
        try? fm.removeItem(atPath: stash)
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
