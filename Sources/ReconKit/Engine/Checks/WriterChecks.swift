import Foundation

/// What every writing command checks before it may append (SPEC §6): the chain (read by
/// ``LedgerFile/load()``), every checkpoint on disk against the ledger, the privileged
/// entries since the newest checkpoint (all of them while there is none), every issued
/// document that is present, and every archived drop no command reads again. The archived
/// drops a command uses are hashed as they are read (``LedgerReplay``); a settled month's usage
/// drops are not read (its reports are looked up in its checked index), nor are decisions
/// (each is an entry of its own), so they are checked here, with a settled drop's cache file
/// (read by nothing but a rerun, and named by `recon verify`): a writer does not sign new
/// entries over a changed archive or cache. Anything wrong throws ``LedgerDamage``: the command
/// refuses (exit 4) and appends nothing.
struct WriterChecks {
    let site: Site
    let ledger: LedgerFile
    /// Told what is worth a warning as it is found, also when the checks then refuse.
    var warn: (String) -> Void = { _ in }
    /// Whether a new seal is written once the checks pass (not by a dry run, which changes nothing).
    var sealing = true

    /// What the checks did beyond passing: how many issued documents were read and hashed
    /// (the others still had their sealed stamp), and which documents' files were missing
    /// (the positions of their entries), so that the repair need not look for every file again.
    struct Outcome {
        var documentsHashed = 0
        var archivedDropsHashed = 0
        /// The caches of those drops read and hashed (each one once it changed, or until it settles).
        var settledCachesHashed = 0
        var missingDocuments: [Int] = []
        /// Each document and archived drop found as recorded, with its stamp then and its SHA-256 (``CheckedFiles``).
        var found: [(relative: String, stamp: FileStamp, sha256: String)] = []
    }

    /// What the checks found when run beside the rebuilding of the state (``SiteSession``):
    /// their outcome, the privilege check's once they passed, and the warnings given meanwhile.
    struct Finding {
        var outcome: Result<Outcome, Error>
        var privileged: Result<Void, Error>?
        var warnings: [String]
    }

    /// The checks: the ledger's checkpoints and document entries on another core, `alongside`
    /// after them there (the session's check of the privileged entries), whatever they found,
    /// while the issued documents' files are checked on this one (and, once those are done, on
    /// that core too: this thread never waits while the documents' work could use it). What they
    /// find is told as when they ran one after the other: the ledger's damage first, then the
    /// documents' warnings and damage. The seal is written only once every check has passed.
    @discardableResult
    func run(alongside: @escaping () -> Void = {}) throws -> Outcome {
        guard let first = ledger.entries.first, first.eventKind == .siteInit else {
            throw LedgerDamage(seq: 1, "the first entry is not site.init")
        }
        guard let keyText = first.string("public_key"), let key = try? VerifierKey(text: keyText) else {
            throw LedgerDamage(seq: 1, "site.init carries no readable public_key")
        }
        let siteName = first.string("site") ?? ""
        let ledgerChecks = BackgroundWork { [self] in
            let checked = Result { try Stages.time("checks-ledger") { try checkLedger(key: key, siteName: siteName) } }
            alongside()
            return checked
        }
        let checked = Stages.time("checks-documents") { checkDocuments(key: key, siteName: siteName) }
        try ledgerChecks.wait().get()
        for warning in checked.warnings { warn(warning) }
        if let problem = checked.problem { throw problem }
        if sealing, let next = checked.nextSeal, let siteKey = try? SiteKeyFile.load(site) {
            try? next.write(site, key: siteKey, siteName: siteName)
        } else if sealing, checked.sealUnreadable {
            // A seal no command can use, kept, would fail `recon verify` until someone deleted it.
            FileIO.remove(DocumentSeal.path(site))
        }
        return checked.outcome
    }

    /// Every checkpoint on disk against the ledger, and what its document entries must be.
    private func checkLedger(key: VerifierKey, siteName: String) throws {
        let verifier = Verifier(site: site)
        // No vouched file, nor any a writer is about to make, may lie outside the site.
        if let linked = VouchedPlaces.folderDamage(in: site) { throw linked }
        if let unlisted = UnlistedFolders.damage(in: site) { throw unlisted }
        if let refusal = UnlistedFolders.inboxRefusal(in: site) { throw refusal }
        let checkpoints = Checkpointer(site: site).all()
        for seq in checkpoints {
            if let damage = Self.intentOverCheckpoint(ledger, checkpoint: seq) { throw damage }
            try verifier.checkCheckpoint(seq, ledger: ledger, verifier: key, siteName: siteName)
        }
        try verifier.checkOtherNotes(ledger: ledger, verifier: key, siteName: siteName)
        // The entries no checkpoint covers yet, as `recon verify` checks every entry.
        try EntryRules.check(ledger.entries, site: site, after: checkpoints.last ?? 0)
        // Privileged entries are checked by the session against the ledger's operators
        // (`SiteSession.checkPrivilegeAndCheckpoints`), every one of them, before any append.
        // The entries of a vouched ledger prefix are the bytes the close that vouches for it
        // opened on and checked, as every writer checks every entry, and the documents it made
        // and appended itself: their amounts (a year's thousands of documents, parsed and added
        // up) are not added up again. Their numbers and places are, with every later entry's:
        // that check runs through the whole ledger.
        try IssuedDocumentEntries.check(ledger.entries, amountsCheckedBefore: ledger.entriesFromPrefix)
    }

    /// What the documents' check found: the first document not as issued, in ledger order (nil
    /// when none), what is worth a warning once the ledger's checks have passed, the outcome,
    /// and the seal to write once every check has passed (nil when the one on disk stands).
    private struct DocumentsChecked {
        var problem: Error?
        var warnings: [String]
        var outcome = Outcome()
        var nextSeal: DocumentSeal?
        /// The seal on disk could not be read (unsigned, damaged): ignored, and removed if no new one replaces it.
        var sealUnreadable = false
    }

    /// A missing document is put back by the repair; one present must be the one issued. An
    /// archived drop no command reads again must be there as archived: nothing can put an input back.
    /// Years of closed months hold thousands of documents: a file that still has the stamp the
    /// site's seal records for it (``DocumentSeal``) is as it was hashed; the others are hashed
    /// on every core, and the first wrong one in ledger order is named. The seal is to be
    /// written again when it gained or lost files (with the site key, when it can be read).
    private func checkDocuments(key: VerifierKey, siteName: String) -> DocumentsChecked {
        // The files checked, in ledger order: every document, the unread drops and their caches.
        let drops = unreadDrops()
        let items = (ledger.entries.indices.filter { ledger.entries[$0].eventKind?.document != nil }.map { SealedItem(entry: $0, kind: .document) }
            + drops.flatMap { [SealedItem(entry: $0, kind: .drop), SealedItem(entry: $0, kind: .dropCache)] })
            .sorted { ($0.entry, $0.kind.rawValue) < ($1.entry, $1.kind.rawValue) }
        let checked = items.map(\.entry), kinds = items.map(\.kind)
        let isDrop = kinds.map { $0 == .drop }
        let n = checked.count
        // A few dozen runs of files rather than one task a file.
        let runs = min(n, 64)
        /// The files of run `k`.
        func run(_ k: Int) -> Range<Int> { (n * k / runs)..<(n * (k + 1) / runs) }
        // Read through constants: a class's array, or a variable the closure shares, would be
        // retained and released for every document by both cores at once.
        let entries = ledger.entries, site = site
        // First the seal is read and its signature checked while every document's file is
        // `lstat`ed on the other core (a year's 6,000 system calls); then each stamp is
        // compared with the sealed one. Each slot is written only by the iteration that
        // takes it (no lock), and read once all are done.
        var seal: DocumentSeal.Index?
        var warnings: [String] = []
        var sealUnreadable = false
        // Each checked file with the SHA-256 its entry records, found once for every pass below.
        var files = [(file: String, sha256: String)?](repeating: nil, count: n)
        var stamps = [FileStamp?](repeating: nil, count: n)
        files.withUnsafeMutableBufferPointer { files in
            stamps.withUnsafeMutableBufferPointer { stamps in
                DispatchQueue.concurrentPerform(iterations: runs + 1) { job in
                    guard job > 0 else {
                        do {
                            seal = try DocumentSeal.readIndex(site, verifier: key, siteName: siteName)
                        } catch {
                            warnings.append("ignored \(error); every issued document is hashed instead, and the seal is written "
                                + "anew (or removed, while its documents are too new to seal) once the checks pass")
                            sealUnreadable = true
                        }
                        return
                    }
                    for i in run(job - 1) {
                        guard let named = Self.sealedFile(entries[checked[i]], kind: kinds[i]) else { continue }
                        files[i] = named
                        stamps[i] = FileStamp.of(site.path(named.file))
                    }
                }
            }
        }
        // A stamp is sealed only if the file had not changed for a while before it was hashed.
        let settled = FileStamp.Instant.now().minus(seconds: DocumentSeal.settleSeconds)
        // Per document: what was found, what is wrong when it is not as issued, and a stamp to
        // seal when it was hashed.
        var verdicts = [Verdict](repeating: .unread, count: n)
        var found = [Error?](repeating: nil, count: n)
        var fresh = [DocumentSeal.Sealed?](repeating: nil, count: n)
        let sealed = seal, seen = (files: files, stamps: stamps)
        verdicts.withUnsafeMutableBufferPointer { verdicts in
            found.withUnsafeMutableBufferPointer { found in
                fresh.withUnsafeMutableBufferPointer { fresh in
                    DispatchQueue.concurrentPerform(iterations: runs) { k in
                        for i in run(k) {
                            let e = entries[checked[i]]
                            guard let (file, sha) = seen.files[i] else { continue }
                            let what = kinds[i].what  // in what is found wrong
                            if let now = seen.stamps[i], let kept = sealed?.stamp(of: file, sha256: sha), now == kept {
                                verdicts[i] = .sealed
                                continue
                            }
                            let path = site.path(file)
                            // A cache is there when anything is in its place (a dangling link is damage).
                            guard kinds[i] == .dropCache ? FileStatus.of(path) != nil : FileIO.exists(path) else {
                                verdicts[i] = .missing
                                if isDrop[i] { found[i] = LedgerDamage(seq: e.seq, "archived drop \(file) is missing") }
                                continue
                            }
                            verdicts[i] = .hashed
                            if kinds[i] == .dropCache, let damage = Self.settledCacheDamage(file, seq: e.seq, in: site) {
                                found[i] = damage
                                continue
                            }
                            do {
                                let read = try LedgerDamage.reading(what, file, seq: e.seq, in: site) { try FileStamp.hashing(path) }
                                if read.sha256 != sha {
                                    found[i] = kinds[i] == .dropCache ? Self.settledCacheMismatch(file, seq: e.seq)
                                        : LedgerDamage(seq: e.seq, "\(what) \(file) does not match its recorded SHA-256"
                                            + Verifier.changedAdvice(what))
                                } else if read.before == read.after, read.after.changed < settled {
                                    fresh[i] = DocumentSeal.Sealed(sha256: sha, stamp: read.after)
                                }
                            } catch {
                                found[i] = error
                            }
                        }
                    }
                }
            }
        }
        if let problem = found.lazy.compactMap({ $0 }).first { return DocumentsChecked(problem: problem, warnings: warnings) }
        // The seal, signed by the site key, holds only what entries recorded when it was written:
        // a line no entry of this ledger records is an entry removed since (its end cut, with the
        // checkpoints over it). `recon verify` names it; a writer signing over it would erase it.
        if let sealed = seal {
            let matched = (0..<n).lazy.filter { i in
                verdicts[i] == .sealed || (files[i].map { sealed.stamp(of: $0.file, sha256: $0.sha256) != nil } ?? false)
            }.count
            if matched < sealed.count, let problem = Self.unrecordedSealLine(sealed, entries: entries) {
                return DocumentsChecked(problem: problem, warnings: warnings)
            }
        }
        // A final document no entry issued is what a ledger whose end was cut leaves (with the
        // checkpoints over that end): `recon verify` names it, so no writer signs over it. The
        // entries' files were read above, on every core (a year's 6,000, read again here, took 30 ms).
        do {
            // Any name, as `recon verify` and an auditor's verifier refuse it (SPEC §6: nothing is
            // appended to a ledger that does not verify): a file browser's copy, `INV-… (1).xlsx`,
            // let every writer go on and the next close sign over a site both verifiers refused.
            // A file named like a document outside those folders is no document: said, not refused.
            let (folders, misplaced) = OutboxCheck(site: site).walk()
            warnings += misplaced.map(OutboxCheck.misplacedNote)
            try Verifier(site: site).checkNoUnissuedDocuments(issued: Set(files.lazy.compactMap { $0?.file }), in: folders)
        } catch {
            return DocumentsChecked(problem: error, warnings: warnings)
        }
        // Every document found under its sealed stamp, and the seal as long as the list: it stands
        // as it is (after a year, building and comparing 6,000 entries took some milliseconds).
        var nextSeal: DocumentSeal?
        if seal?.count != n || verdicts.contains(where: { $0 != .sealed }) {
            var next = DocumentSeal(documents: [:])
            next.documents.reserveCapacity(n)
            for i in 0..<n {
                guard let (file, sha) = files[i] else { continue }
                if verdicts[i] == .sealed, let stamp = stamps[i] {
                    next.documents[file] = DocumentSeal.Sealed(sha256: sha, stamp: stamp)
                } else if let s = fresh[i] {
                    next.documents[file] = s
                }
            }
            if !(seal?.holds(next) ?? next.documents.isEmpty) { nextSeal = next }
        }
        let outcome = Outcome(documentsHashed: (0..<n).lazy.filter { verdicts[$0] == .hashed && kinds[$0] == .document }.count,
                              archivedDropsHashed: (0..<n).lazy.filter { verdicts[$0] == .hashed && isDrop[$0] }.count,
                              settledCachesHashed: (0..<n).lazy.filter { verdicts[$0] == .hashed && kinds[$0] == .dropCache }.count,
                              missingDocuments: (0..<n).filter { verdicts[$0] == .missing && kinds[$0] == .document }.map { checked[$0] },
                              found: (0..<n).compactMap { i in
                                  guard verdicts[i] == .sealed || verdicts[i] == .hashed, let (file, sha) = files[i],
                                        let stamp = stamps[i] else { return nil }
                                  return (file, stamp, sha)
                              })
        return DocumentsChecked(problem: nil, warnings: warnings, outcome: outcome, nextSeal: nextSeal, sealUnreadable: sealUnreadable)
    }

    /// The first file `seal` holds that no entry records with its SHA-256 (the documents, and
    /// every archived drop, as `recon verify` reads the seal), as the damage it is.
    static func unrecordedSealLine(_ seal: DocumentSeal.Index, entries: [LedgerEntry]) -> LedgerDamage? {
        var recorded: [String: String] = [:]
        for e in entries {
            if e.eventKind == .dropAccepted, let sha = e.string("sha256") {
                recorded[Site.dropPath(sha256: sha)] = sha
                if let cache = e.string("cache_sha256") { recorded[DropCache.relativePath(sha)] = cache }
            }
            if e.eventKind?.document != nil, let file = e.string("file"), let sha = e.string("sha256") { recorded[file] = sha }
        }
        return seal.seal.unrecordedFile { recorded[$0] }
    }

    /// The positions of the archived drops no replay reads, so none hashes: decisions (each
    /// decision is an entry of its own) and the usage drops the replay's rule leaves unread
    /// (``LedgerReplay/isSettled(_:seq:lastSettled:settledSeq:)``), over the periods settled by
    /// an entry recording a report index. The other drops are hashed as they are read.
    private func unreadDrops() -> [Int] {
        let vouched = LedgerReplay.vouchedIndexes(ledger)
        let lastSettled = vouched.values.map(\.seq).max()
        return ledger.entries.indices.filter { i in
            let e = ledger.entries[i]
            guard e.kind == "drop.accepted", case .dropAccepted(let drop)? = try? LedgerEvent(entry: e) else { return false }
            if drop.kind == .decisions { return true }
            return LedgerReplay.isSettled(drop, seq: e.seq, lastSettled: lastSettled) { vouched[$0]?.seq }
        }
    }

    /// A file the writers check through the seal: an entry's document, archived drop, or the
    /// cache of that drop (in ledger order, a drop before its cache).
    private struct SealedItem {
        enum Kind: Int {
            case document, drop, dropCache
            /// What the file is called where something is found wrong with it.
            var what: String { self == .document ? "document" : self == .drop ? "archived drop" : "cache file" }
        }
        var entry: Int
        var kind: Kind
    }

    /// The file an entry the seal covers names, and the SHA-256 it records: a document's
    /// `file`, the archived drop's place in `Ledger/drops/`, or that drop's cache file with the
    /// `cache_sha256` its entry records (nil for a drop without one).
    private static func sealedFile(_ e: LedgerEntry, kind: SealedItem.Kind) -> (file: String, sha256: String)? {
        guard let sha = e.string("sha256") else { return nil }
        switch kind {
        case .document: return e.string("file").map { ($0, sha) }
        case .drop: return (Site.dropPath(sha256: sha), sha)
        case .dropCache: return e.string("cache_sha256").map { (DropCache.relativePath(sha), $0) }
        }
    }

    /// A settled drop's cache file that is no regular file, or larger than any cache recon
    /// writes: no command reads it until a rerun of its months, yet `recon verify` names it,
    /// so no writer signs over it (a missing one is no damage: caches are rebuilt).
    private static func settledCacheDamage(_ file: String, seq: Int, in site: Site) -> LedgerDamage? {
        let path = site.path(file)
        if let kind = DropFile.nonRegularKind(path) {
            return LedgerDamage(seq: seq, "the cache file \(file) is \(kind), not the cache its drop.accepted records; "
                + Self.settledCacheRemedy)
        }
        if let size = FileStatus.of(path)?.size, size > 2 * DropFile.largestBytes { return settledCacheMismatch(file, seq: seq) }
        return nil
    }

    /// A settled drop's cache file whose bytes are not the `cache_sha256` its entry records.
    private static func settledCacheMismatch(_ file: String, seq: Int) -> LedgerDamage {
        LedgerDamage(seq: seq, "the cache file \(file) does not match the cache_sha256 its drop.accepted records; "
            + Self.settledCacheRemedy)
    }

    static let settledCacheRemedy = "its month is closed and no command reads it until a rerun, which writes it again from the "
        + "archived drop: delete it, and find out who changed it"

    /// What the check of one document found.
    private enum Verdict {
        /// Not looked at: its entry names no file or SHA-256.
        case unread
        /// Its file has the stamp the seal records for it.
        case sealed
        /// No file where its entry says.
        case missing
        /// Read and hashed, as issued or not.
        case hashed
    }

    /// An intent record claiming complete lines a signed checkpoint covers (`checkpoint`, its
    /// seq): never cut — that is not what an interrupted append leaves.
    static func intentOverCheckpoint(_ ledger: LedgerFile, checkpoint seq: Int) -> LedgerDamage? {
        guard ledger.interruptedEntries > 0 && seq > ledger.entries.count else { return nil }
        return LedgerDamage(seq: ledger.entries.count + 1, "Ledger/ledger.jsonl.intent would cut \(ledger.interruptedEntries) "
            + "complete entries that checkpoint \(seq).txt covers; that is not what an interrupted append leaves, so nothing is cut")
    }
}

