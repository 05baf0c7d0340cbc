import Crypto
import Foundation
import XLSX

/// Puts right what an interrupted command left, before the next writing command starts
/// (it holds the site lock, so nothing else is writing):
///
/// - final documents whose entries were appended before they were renamed into place come
///   back from their temporary file when it is intact, else are regenerated from the entry
///   (documents are reproducible byte for byte);
/// - hidden files of unfinished writes (`.NAME.PID.tmp`, `.NAME.ID.partial`) are removed from
///   `Ledger/` and `Outbox/`, so no stray file sits among the final documents or archived drops;
/// - an archived drop that no entry names and whose file still waits in the Inbox is removed
///   (it is archived again when the drop is taken);
/// - the drafts of a period whose close was interrupted after its entries are removed;
/// - a closed period's review workbook and the margin summary that a command could not write
///   after its entries (a full disk) are written again.
public struct DocumentRepair {
    let session: SiteSession
    /// The derived workbooks (site-relative) the session took away as owed by a stopped
    /// command, to be written again here: out of date, not missing — the session says so.
    var owed: Set<String> = []

    public init(session: SiteSession, owed: Set<String> = []) {
        self.session = session
        self.owed = owed
    }

    /// Returns the documents put back.
    @discardableResult
    public func run() throws -> [String] {
        var repaired: [String] = []
        // The writer checks have just looked for every document's file (the lock is held since):
        // only those they found missing are looked at again.
        let entries = session.ledger.entries
        let documents = session.missingDocuments ?? entries.indices.filter { entries[$0].eventKind?.document != nil }
        // `Outbox/` a link (kept on another disk) where not one issued document is: the disk is
        // not mounted there, its empty mount point in its place. Put back, every document went
        // onto the local disk under it, beside the real ones out of sight.
        if let empty = UnlistedFolders.emptyOutboxLink(in: session.site, entries: entries) { throw empty }
        for e in documents.map({ entries[$0] }) {
            guard let file = e.string("file"), let sha = e.string("sha256") else { continue }
            let final = session.site.path(file)
            if FileIO.exists(final) { continue }
            // Its folders are the site's own: the writer checks refused any link there (``VouchedPlaces``).
            let dir = FileIO.parent(of: final), name = FileIO.baseName(final)
            do {
                var restored = false
                for candidate in FileIO.list(dir) where candidate.hasPrefix("." + name + ".") && candidate.hasSuffix(".tmp") {
                    let path = dir + "/" + candidate
                    if let bytes = try? FileIO.read(path), Hex.string(SHA256.hash(data: bytes)) == sha {
                        try FileIO.renameDurably(path, to: final)
                        restored = true
                        break
                    }
                }
                if restored, PlacedWorkbook.check(file, in: session.site, sha256: sha) != .issued { throw foreign(file, seq: e.seq) }
                if !restored {
                    let record = try DocumentRecord(entry: e)
                    try makeFolder(dir, for: file, seq: e.seq)
                    let temp = FileIO.temporaryName(for: final)
                    let bytes = try DocumentWorkbook.write(record, at: e.at, to: temp, naming: final)
                    guard Hex.string(SHA256.hash(data: bytes)) == sha else {
                        FileIO.remove(temp)
                        throw ReconFailure.verification("seq \(e.seq): \(file) is missing and regenerating it does not give its recorded "
                            + "SHA-256 (\(sha)): this build cannot make that document again byte for byte — restore it from a backup "
                            + "(the file whose SHA-256 that is), or ask an auditor; nothing is written")
                    }
                    try FileIO.placeWritten(temp, at: final)
                    guard PlacedWorkbook.check(file, in: session.site, sha256: sha) == .issued else { throw foreign(file, seq: e.seq, temp: temp) }
                }
            } catch let failure as FileIO.Failure {
                // Said as what the command was doing: putting back an issued document first.
                throw ReconFailure.usage("\(e.string("number") ?? file) is issued (seq \(e.seq)) and its workbook \(file) is missing; "
                    + "putting it back failed: \(failure) — nothing was recorded: see to the disk, then run the command again "
                    + "(any writing command puts it back)")
            }
            session.log.warning("put back \(file) (seq \(e.seq)) from its entry, byte for byte: it was missing (deleted or moved since it was issued, or left out by an interrupted command)")
            repaired.append(file)
        }
        for (dir, relative) in [(session.site.inbox, "Inbox"), (session.site.held, "Inbox/held")] {
            for name in DropFile.putBackLeftAside(in: dir) {
                session.log.notice("put back \(relative)/\(SafeText.escaped(name)), set aside by a command stopped while it took a drop out")
            }
        }
        sweepTemporaryFiles()
        try dropArchivesOfUnfinishedIngests()
        // A closed month's drafts an interrupted close left (a clerk's own files there are left, said by the close).
        for period in session.state.closedPeriods.keys { ClosedDrafts.remove(period, in: session.site) }
        try restoreDerivedOutputs()
        return repaired
    }

    /// A missing document put back from a temporary file that something changed meanwhile:
    /// damage (exit 4), and nothing is appended over it.
    private func foreign(_ file: String, seq: Int, temp: String? = nil) -> ReconFailure {
        let what = temp.map { PlacedWorkbook.foreign(file, temp: $0) }
            ?? "the file moved into \(file) was not the workbook its entry issued: something replaced or wrote into it while this "
            + "command put it back, and it was taken away"
        return ReconFailure.verification("seq \(seq): \(file) is missing; \(what) — nothing is written: find what else writes in "
            + "\(FileIO.parent(of: file)) and run the command again (the document is then written from its entry)")
    }

    /// The folder of a missing document, made if need be. A file standing where the folder (or
    /// one above it) should be is damage to the site, not a usage error: the command refuses
    /// (exit 4), as `recon verify` does, before anything is appended.
    private func makeFolder(_ dir: String, for file: String, seq: Int) throws {
        do {
            try FileIO.makeDirectory(dir)
        } catch let failure as FileIO.Failure where failure.code == EEXIST || failure.code == ENOTDIR {
            let blocking = Verifier.nonFolderAbove(file, in: session.site) ?? failure.path  // named as verify names it
            throw ReconFailure.verification("seq \(seq): \(file) is missing, and \(blocking) is not a folder: something else stands "
                + "where the issued documents' folder should be; nothing is written — move it away and run the command again "
                + "(the document is then regenerated from its entry)")
        }
    }

    /// Removes the hidden files of unfinished writes that killed writers left where recon
    /// writes, as the session found them (one a missing document came back from is gone).
    /// One whose writer is still running is left: only a lock file removed from under a writer
    /// lets another command in meanwhile, and that one must not take a live writer's files.
    func sweepTemporaryFiles() {
        for path in session.foundTemporaryFiles() {
            if let pid = Self.writerProcess(ofTemporary: FileIO.baseName(path)), pid != getpid(), WriterProcess.isRunning(pid) {
                continue
            }
            if (try? FileIO.removeChecked(path)) != nil { session.log.notice("removed \(path), left by an interrupted command") }
        }
    }

    /// The hidden files of unfinished writes in the folders recon writes, by path.
    static func temporaryFiles(in site: Site) -> [String] {
        // The cache too: a cache write cut short by a full disk leaves its temporary file there.
        // And the site's keys: an init killed mid-way left `.site.pub.PID.tmp` there for good.
        var dirs = [site.ledgerDir, site.drops, site.staging, site.checkpoints, site.held, site.rejected, site.outbox, site.cache,
                    site.path(".recon/closed"), site.path(".recon"), site.path("Ledger/keys")]
        for period in FileIO.list(site.outbox) where Period(period) != nil {
            let dir = site.outbox + "/" + period
            dirs.append(dir)
            for sub in OutboxCheck.documentFolders + ["drafts"] { dirs.append(dir + "/" + sub) }
        }
        return dirs.flatMap { dir in FileIO.hiddenNames(in: dir).filter(isTemporaryName).map { dir + "/" + $0 } }
    }

    /// An archived drop that no entry names, whose file still waits in the Inbox (or
    /// `Inbox/held/`), is what an ingest killed between archiving and appending leaves: it is
    /// removed, and archived again when the drop is taken. Any other unnamed archive may be the
    /// trace of a ledger cut short, which `recon verify` refuses: left for the auditor, and
    /// nothing appended over it (exit 4).
    func dropArchivesOfUnfinishedIngests() throws {
        let site = session.site
        let isRecorded = { (sha: String) in session.state.acceptedDrops[sha] != nil }
        let stray = Verifier.strayArchives(in: site, isRecorded: isRecorded, named: session.namedDrops)
        for name in stray.waiting {
            let waiting = Verifier.whereWaiting(archive: name, in: site)
            FileIO.remove(site.drops + "/" + name)
            let message = "removed the archive \(name) of a drop an interrupted command took but never recorded; the drop still "
                + "waits \(waiting)"
            session.log.notice("\(message)")
        }
        NamedDropMarker.sweep(in: site, isRecorded: isRecorded)
        if !stray.unwaited.isEmpty {
            let said = Verifier.unrecordedArchives(stray.unwaited, in: site, isRecorded: isRecorded)
            throw ReconFailure.verification("the ledger does not verify: \(said); nothing is written")
        }
    }

    /// The process that made a hidden file of an unfinished write, when its name says
    /// (`.NAME.PID.tmp`, and a workbook assembled for it, `..NAME.PID.tmp.ID.partial`).
    static func writerProcess(ofTemporary name: String) -> pid_t? {
        guard isTemporaryName(name), let tmp = name.range(of: ".tmp", options: .backwards) else { return nil }
        let head = name[..<tmp.lowerBound]
        guard let dot = head.lastIndex(of: ".") else { return nil }
        return pid_t(head[head.index(after: dot)...])
    }

    /// Hidden files of unfinished writes: `.NAME.PID.tmp` (``FileIO/temporaryName(for:)``) and
    /// `.NAME.ID.partial` (a workbook being assembled, ``Workbook``).
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix(".") else { return false }
        let suffix: Substring, isTag: (Substring) -> Bool
        if name.hasSuffix(".tmp") {
            suffix = name.dropFirst().dropLast(4)
            isTag = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        } else if name.hasSuffix(".partial") {
            suffix = name.dropFirst().dropLast(8)
            isTag = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
        } else {
            return false
        }
        guard let dot = suffix.lastIndex(of: "."), dot > suffix.startIndex else { return false }
        return isTag(suffix[suffix.index(after: dot)...])
    }
}
