import Foundation
import Crypto
import Logging
import XLSX

/// `recon verify` (SPEC §6): every hash and the chain, every archived drop and document
/// against its recorded SHA-256, every checkpoint's signature and head, and every
/// privileged entry's operator signature over its request.
///
/// It reads under the site lock taken shared, so a running writer's half-finished append
/// is never mistaken for damage; what a crash left behind (a half-written last line, an
/// interrupted batch) is reported, as it is not part of the ledger until the next writing
/// command cuts it away.
public struct Verifier {
    let site: Site

    public init(site: Site) { self.site = site }

    public struct Report {
        public var count: Int
        public var head: String
        public var checkpoints: Int
        /// What is not wrong but worth saying: a tail an interrupted command left (not an entry).
        public var notes: [String] = []
        /// Of the notes, what an interrupted command left that the next writing command finishes
        /// (a checkpoint owed, an archive or unfinished write no entry names yet): an auditor's
        /// strict verifier refuses the site until then, and so does `recon verify --strict`.
        public var unfinished: [String] = []
        /// What recon excuses and an auditor's strict verifier refuses (a file an editor leaves
        /// beside an archive or a document, another hidden file there, another private key in
        /// `Ledger/keys/` that others can read): `recon verify --strict` refuses it too.
        public var strictOnly: [String] = []
    }

    /// - Parameters:
    ///   - keptCheckpoint: a checkpoint file the auditor kept; the ledger must still extend it.
    ///   - pinnedKey: the site public key the auditor holds; checkpoints are checked against it,
    ///     and a `site.init` that records another key is reported (the site was re-keyed).
    ///   - clock: the day a status cache is checked for (`RECON_NOW` pins it).
    public func verify(keptCheckpoint: String? = nil, pinnedKey: VerifierKey? = nil, clock: SiteClock = .system) throws -> Report {
        let ledger = LedgerFile(path: site.ledgerFile)
        var notes: [String] = []
        if let unmounted = UnlistedFolders.unmountedRefusal(in: site) { throw unmounted }
        guard FileIO.exists(site.ledgerFile) else {
            if let linked = UnlistedFolders.emptyLedgerLink(in: site, holding: site.filesOfALedger) { throw linked }
            // A folder that never was a site (a mistyped --site) is bad usage, as for every command;
            // a site whose ledger is gone is damage.
            guard !site.filesOfALedger.isEmpty else {
                try SiteSession.refuseSiteThatIsAFile(site)
                try SiteSession.refuseFolderOfASite(site)
                throw ReconFailure.usage("\(site.root) is not a recon site (no Ledger/ledger.jsonl, nor any file a ledger leaves); "
                    + "check --site (`recon init --site \(site.root)` makes one)")
            }
            throw LedgerDamage(seq: nil, "\(site.ledgerFile) is missing, but the site holds \(site.filesOfALedger.joined(separator: ", "))")
        }
        let lock = try SiteLock.shared(path: site.lockFile, timeout: SiteSession.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        var unfinished: [String] = []
        try ledger.load(deferringLines: false)
        if ledger.entries.isEmpty && site.initWasInterrupted { throw site.interruptedInit }
        try LedgerFormat.check(ledger)  // a newer format is not vouched for by a build that cannot read it
        if ledger.halfWrittenBytes > 0 {
            if let damage = ledger.tailDamage { throw LedgerDamage(seq: ledger.entries.count + 1, damage) }
            let what = ledger.interruptedEntries > 0
                ? "\(ledger.halfWrittenBytes) bytes (\(ledger.interruptedEntries) complete lines) of an append that never finished"
                : "a last line without its newline (\(ledger.halfWrittenBytes) bytes)"
            // SPEC §6: a line left half-written by a crash is not an entry. The entries before
            // it are verified as usual; the tail is reported, and the next writer cuts it away.
            let said = "\(what) after seq \(ledger.entries.count): not an entry — an interrupted command left it, "
                + "and the next writing command cuts it away"
            // Complete lines are entries to an auditor's verifier, which then misses their workbooks.
            if ledger.interruptedEntries > 0 { unfinished.append(said) } else { notes.append(said) }
        }
        if ledger.ignoredIntent {
            notes.append("Ledger/ledger.jsonl.intent is not signed by the site key: ignored (no entry is cut on its word), "
                + "and the next writing command removes it")
        }
        guard let first = ledger.entries.first, first.eventKind == .siteInit else { throw LedgerDamage(seq: 1, "the first entry is not site.init") }
        guard let keyText = first.string("public_key"), let recordedKey = try? VerifierKey(text: keyText) else {
            throw LedgerDamage(seq: 1, "site.init carries no readable public_key")
        }
        if let pinnedKey, pinnedKey != recordedKey {
            throw LedgerDamage(seq: 1, "site.init records the public key \(recordedKey.text), not the site key you hold "
                + "(\(pinnedKey.text)): the site was re-keyed, or this is another site")
        }
        let verifier = pinnedKey ?? recordedKey
        let siteName = first.string("site") ?? ""
        if let linked = VouchedPlaces.folderDamage(in: site) { throw linked }
        if let unlisted = UnlistedFolders.damage(in: site) { throw unlisted }
        var recorded: [String: (sha: String, seq: Int)] = [:]
        // What the writers' seal may hold: the documents, and the archived drops.
        var sealable: [String: (sha: String, seq: Int)] = [:]
        // And those drops' cache files, with the `cache_sha256` their entries record.
        var sealableCaches: [String: (sha: String, seq: Int)] = [:]
        // The hard flags, by seq: their periods are checked against their reports' once the state is rebuilt.
        var hardFlags: [(seq: Int, flag: AuditFlag)] = []
        try EntryRules.check(ledger.entries, site: site, ingestRulesAfter: Checkpointer(site: site).all().last ?? 0)
        for e in ledger.entries {
            if e.eventKind == .flagRaised, case .flagRaised(let raised)? = try? LedgerEvent(entry: e), raised.flag.severity == .hard {
                hardFlags.append((e.seq, raised.flag))
            }
            if e.eventKind == .dropAccepted {
                guard let sha = e.string("sha256") else { throw LedgerDamage(seq: e.seq, "drop.accepted lacks sha256") }
                try check(file: Site.dropPath(sha256: sha), sha: sha, seq: e.seq, what: "archived drop")
                sealable[Site.dropPath(sha256: sha)] = (sha, e.seq)
                if let cache = e.string("cache_sha256") { sealableCaches[DropCache.relativePath(sha)] = (cache, e.seq) }
            }
            for (file, sha) in fileRefs(.object(e.body)) {
                if let earlier = recorded[file], earlier.sha != sha {
                    throw LedgerDamage(seq: e.seq, "\(file) was recorded at seq \(earlier.seq) with another SHA-256")
                }
                recorded[file] = (sha, e.seq)
                try check(file: file, sha: sha, seq: e.seq, what: "document")
            }
        }
        // An archive no entry names: an ingest killed between archiving a drop and recording it
        // leaves one, whose drop still waits in the Inbox (the next writer removes it), and so
        // does a ledger whose end was cut, with its checkpoints. The first is said; the second is
        // damage (an auditor's verifier refuses it too), said after the checkpoints, whose words
        // on a cut are the plainer ones.
        let isRecorded = { (sha: String) in sealable[Site.dropPath(sha256: sha)] != nil }
        let stray = Self.strayArchives(in: site, isRecorded: isRecorded)
        if let first = stray.waiting.first {
            unfinished.append("Ledger/drops/\(first) is named by no entry: an ingest killed before it recorded the drop leaves one, and its "
                + "drop still waits " + Self.whereWaiting(archive: first, in: site))
        }
        // Every folder an auditor's verifier reads as one of final documents, walked once.
        let (documentFolders, misplaced) = OutboxCheck(site: site).walk()
        notes += misplaced.map(OutboxCheck.misplacedNote)
        if let first = Self.unfinishedWrites(in: site, documentFolders: documentFolders).first {
            unfinished.append("\(first) is an unfinished write of an interrupted command, in a folder an auditor's verifier reads "
                + "whole; the next writing command sweeps it")
        }
        let checkpointer = Checkpointer(site: site)
        // Named as what it is, before the checkpoints it would make look cut short.
        if let newest = checkpointer.all().last, let damage = WriterChecks.intentOverCheckpoint(ledger, checkpoint: newest) {
            throw damage
        }
        _ = try OperatorRoster.replay(ledger.entries, legacyUpTo: checkpointer.all().last ?? 0)
        // The auditor's own kept checkpoint first: its word on a rewrite is the one to report.
        if let kept = keptCheckpoint {
            try checkNote(kept, name: "kept checkpoint \(kept)", fileSeq: nil, ledger: ledger, verifier: verifier, siteName: siteName)
        }
        if let damage = CheckpointGaps.damage(in: ledger.entries, onDisk: checkpointer.all(), owed: ledger.owedCheckpoint) { throw damage }
        if let owed = ledger.owedCheckpoint, let head = ledger.head, owed.names(head), !checkpointer.all().contains(owed.seq) {
            unfinished.append("seq \(owed.seq): its checkpoint is owed by a command interrupted before writing it (Ledger/checkpoint.owed, "
                + "signed by the site key, names this head); the next writing command writes it")
        }
        for seq in checkpointer.all() {
            try checkCheckpoint(seq, ledger: ledger, verifier: verifier, siteName: siteName)
        }
        try checkOtherNotes(ledger: ledger, verifier: verifier, siteName: siteName)
        if !stray.unwaited.isEmpty { throw LedgerDamage(seq: nil, Self.unrecordedArchives(stray.unwaited, in: site, isRecorded: isRecorded)) }
        // After the checkpoints and the signed requests: a ledger rewritten behind a checkpoint,
        // or a forged privileged entry, is named by those, the plainer words.
        try IssuedDocumentEntries.check(ledger.entries)
        // After the checkpoints: a ledger cut behind one is named by it, the plainer word.
        try checkNoUnissuedDocuments(issued: Set(recorded.keys), in: documentFolders)
        // What a file browser or editor leaves there is no document, but an auditor's verifier in
        // strict mode names every file no entry issued: said, so `ok` here is not read as theirs.
        for folder in documentFolders {
            for name in (try? FileIO.rawNames(in: site.path(folder), where: { OutboxCheck.isLitter($0) })) ?? [] {
                let relative = folder + "/" + String(decoding: name, as: UTF8.self)
                notes.append("\(SafeText.escaped(relative)) is no document (what a file browser or an editor leaves beside a workbook), "
                    + "but an auditor's verifier in strict mode names it: remove it once no program holds the workbook open")
            }
            // A folder there holds no document either checker reads (a NAS's `@eaDir`, say).
            let held = Set((try? OutboxCheck.heldNames(in: site.path(folder))) ?? [])
            let folders = (try? FileIO.rawNames(in: site.path(folder)) { name, isFolder in isFolder && !held.contains(Array(name)) }) ?? []
            for name in folders {
                let relative = folder + "/" + String(decoding: name, as: UTF8.self)
                notes.append("\(SafeText.escaped(relative)) is a folder inside a folder of final documents: no document is read from "
                    + "it (what a NAS or file system keeps there, @eaDir or lost+found, is harmless); anything else, move out of Outbox/")
            }
        }
        if try checkSiteKeyIsPrivate(notes: &notes) { try checkSiteKey(notes: &notes) }
        try Self.checkPublicKeyFile(of: site, recorded: recordedKey)
        // After the keys and checkpoints, whose words on a rewrite are the plainer ones: a ledger
        // rewritten from its start under another key still holds its documents' entries, and the
        // heads they were issued under are no longer its own.
        for e in ledger.entries where e.eventKind?.document != nil {
            if let damage = Self.issuedUnderProblem(e, entries: ledger.entries) { throw damage }
        }
        if FileStatus.of(site.publicKeyFile) == nil {
            var info = stat()
            if stat(site.publicKeyFile, &info) != 0 && errno == EACCES {
                // An auditor's own account: `Ledger/keys/` is the site owner's alone (it holds the private key).
                notes.append("Ledger/keys/ cannot be read by this user, so site.pub was not looked at: the key to pin is "
                    + "site.init's public_key (\(recordedKey.text))")
            } else {
                notes.append("Ledger/keys/site.pub is missing: the key to pin is site.init's public_key (\(recordedKey.text)); "
                    + "the next writing command writes the file again")
            }
        }
        // A folder or FIFO in a cache file's place: no command reads it (writers go on without
        // it, as readers do), so it is noted, not damage that every writer went on signing over.
        let notCaches = [DocumentSeal.relativePath, StatusCache.relativePath, StatusCache.closedRelativePath,
                         MarginDetailCache.notePath, MarginDetailCache.bytesPath].filter { relative in
            let path = site.path(relative), kind = FileStatus.of(path)?.kind
            guard kind == .folder || (kind == .other && !FileIO.isSymbolicLink(path)) else { return false }
            notes.append("\(relative) is \(DropFile.nonRegularKind(path) ?? "not a file"), not a cache file: no command reads it — "
                + "delete it, and the next command that keeps that cache writes it again")
            return true
        }
        notes.append(contentsOf: Self.orphanCaches(in: site, recorded: Set(sealable.values.map(\.sha))))
        if let late = Self.headAheadOfTheSystemClock(ledger) { notes.append(late) }
        if !notCaches.contains(DocumentSeal.relativePath) {
            try checkSeal(verifier: verifier, siteName: siteName,
                          recorded: sealable.merging(recorded) { _, document in document }.merging(sealableCaches) { file, _ in file })
        }
        if let note = try checkLedgerPrefix(ledger) { notes.append(note) }
        // Every cache file against the archived drop it was made from (SPEC §6).
        let replayed = try LedgerReplay.state(site: site, ledger: ledger, audit: DropCache(dir: site.cache), hashVouchedDrops: false)
        // What the replay worked around and says (a cache an earlier recon recorded with a fault).
        notes.append(contentsOf: replayed.notes.warnings)
        // A hard flag is its report's, in its report's period (the id says which report; the
        // period is the report's, which the archived drops give).
        for (seq, flag) in hardFlags { try Self.checkHardFlag(flag, seq: seq, state: replayed.state) }
        // The two caches that name today's figures are checked against one state, opened at most once.
        var opened: SiteSession?
        let session = { () throws -> SiteSession in
            if let opened { return opened }
            let quiet = Logger(label: "recon.verify") { _ in SwiftLogNoOpLogHandler() }
            let session = try SiteSession(site: site, writing: false, log: quiet, rebuilding: false, clock: clock)
            opened = session
            return session
        }
        if !notCaches.contains(StatusCache.relativePath) && !notCaches.contains(StatusCache.closedRelativePath) {
            try checkStatusCache(ledger: ledger, verifier: verifier, siteName: siteName, clock: clock, session: session)
        }
        if !notCaches.contains(MarginDetailCache.notePath) && !notCaches.contains(MarginDetailCache.bytesPath) {
            try checkMarginDetailCache(ledger: ledger, verifier: verifier, session: session, notes: &notes)
        }
        return Report(count: ledger.entries.count, head: ledger.headHash, checkpoints: checkpointer.all().count,
                      notes: unfinished + notes, unfinished: unfinished,
                      strictOnly: Self.strictOnly(in: site, documentFolders: documentFolders, documents: Set(recorded.keys),
                                                  archives: Set(sealable.keys)))
    }

    /// A hard flag is its report's, in its report's period (the id says which report; the
    /// period is the report's, which the archived drops give), and its reason gives the
    /// report's images and its score is 1 (``HardGate``): one giving others was written by hand,
    /// and would have finance decide on a report that never exceeded its contract. `recon
    /// verify` checks every one; a writer those no checkpoint covers (it appended over one).
    static func checkHardFlag(_ flag: AuditFlag, seq: Int, state: SiteState) throws {
        guard let report = try state.report(flag.subject) else {
            throw LedgerDamage(seq: seq, "flag.raised \(flag.id) names report \(flag.subject), which no accepted drop holds")
        }
        guard report.period == flag.period else {
            throw LedgerDamage(seq: seq, "flag.raised \(flag.id) says period \(flag.period), but its report \(flag.subject) is of \(report.period)")
        }
        if let stated = HardGate.statedImages(in: flag.reason), stated != Int(report.imageCount) {
            throw LedgerDamage(seq: seq, "flag.raised \(flag.id) says \(stated) images in one case, but its report \(flag.subject) "
                + "has \(report.imageCount); recon writes no such entry")
        }
        guard flag.score == "1" else {
            throw LedgerDamage(seq: seq, "flag.raised \(flag.id) gives the score \(flag.score), but a hard flag's is 1; recon writes no such entry")
        }
    }

    /// Drop caches no `drop.accepted` names (`recorded`: the SHA-256s of the archived drops):
    /// what a ledger whose uncovered tail was cut by hand leaves, with its archive taken too (and
    /// an ingest killed before its entry) — no command reads them, so they are noted, naming the file.
    static func orphanCaches(in site: Site, recorded: Set<String>) -> [String] {
        let orphans = orphanCacheDrops(in: site, recorded: recorded.contains).map { $0 + ".bin" }
        guard let first = orphans.first else { return [] }
        return [".recon/cache/\(first)" + (orphans.count > 1 ? " and \(orphans.count - 1) more" : "") + " \(orphans.count > 1 ? "are caches" : "is a cache") "
            + "of no drop the ledger accepted (an ingest killed before its entry may leave one; so does a ledger whose last "
            + "entries were cut, with their drops, or restored from a backup older than them: those drops are no longer taken, "
            + "and a close goes on without their reports — drop them again) — no command reads it; compare the ledger with an "
            + "auditor's kept checkpoint, then delete it"]
    }

    /// The SHA-256s of the drops whose caches are in `.recon/cache/` but not `recorded`, in name order.
    static func orphanCacheDrops(in site: Site, recorded: (String) -> Bool) -> [String] {
        FileIO.listOwnFolder(site.cache).filter { $0.hasSuffix(".bin") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }
            .filter { !recorded($0) }
    }

    /// The last entry dated more than a day after this machine's clock: every later command must
    /// run at that time or later, and what it issues carries its dates — a clock set ahead when
    /// it was written, or an entry edited (one dated 2199 verified, and a user following the
    /// advice to run at that time issued April's invoices dated 2199).
    static func headAheadOfTheSystemClock(_ ledger: LedgerFile) -> String? {
        guard let last = ledger.entries.last, let at = SiteClock.date(rfc3339: last.at), at > Date().addingTimeInterval(86_400) else {
            return nil
        }
        return "seq \(last.seq), the last entry, is dated \(last.at), more than a day after this machine's clock "
            + "(\(SiteClock.text(Date()))): written under a clock set ahead, or edited — every later command must run at that time or "
            + "later and dates what it issues so; compare the ledger with an auditor's kept checkpoint before going on"
    }

    /// The ledger prefix file (``LedgerPrefix``), when there, is one a `period.closed` entry
    /// records and holds exactly the entries before it, as the ledger's own bytes give them.
    /// Lines written otherwise since the close (spacing, member order, escapes, CR LF ends: the
    /// same entries, which SPEC §6 hashes in their JCS form) leave it holding the entries at the
    /// places the close found them: that is no damage, only a prefix no writer can take, noted.
    func checkLedgerPrefix(_ ledger: LedgerFile) throws -> String? {
        let relative = LedgerPrefix.relativePath
        guard FileIO.exists(site.path(relative)) else { return nil }
        // A folder or FIFO in its place is no prefix: every command reads the whole ledger, as
        // without one. Noted, as for the other caches; every command refused the site.
        // A link in its place is passed by as well (it was refused, "move the real file back",
        // where there is none to move): the next close puts a file in its place.
        if let kind = DropFile.nonRegularKind(site.path(relative)) {
            return "\(relative) is \(kind), not the ledger prefix: not read (every command reads the whole ledger) — remove it; "
                + "the next close writes the prefix anew"
        }
        // Larger than any prefix of this ledger: not the one a close recorded, said without
        // reading it whole (a sparse 8 TB file there ended every command with a bare "cannot
        // read", exit 1).
        if let size = FileStatus.of(site.path(relative))?.size, !LedgerPrefix.couldBe(size: size, ledgerSize: Int64(ledger.validLength)) {
            throw LedgerDamage(seq: nil, "\(relative) is not the ledger prefix any period.closed entry records: it is \(size) bytes, "
                + "larger than a ledger prefix of this ledger can be — delete it (the next close writes it anew) and find out who put it there")
        }
        let bytes = try LedgerDamage.reading("ledger prefix", relative, seq: nil, in: site) {
            try FileIO.read(site.path(relative), followingLinks: false)
        }
        let sha = Hex.string(SHA256.hash(data: bytes))
        guard let vouching = ledger.entries.first(where: { LedgerPrefix.vouches($0, for: sha) }) else {
            throw LedgerDamage(seq: nil, "\(relative) is not the ledger prefix any period.closed entry records as ledger_prefix_sha256; "
                + "delete it (the next close writes it anew) and find out who changed it")
        }
        let header = bytes.withUnsafeBufferPointer { all in
            all.firstIndex(of: 10).flatMap { LedgerPrefix.header(UnsafeBufferPointer(rebasing: all[..<$0])) }
        }
        guard let header, header.entries < vouching.seq, header.entries <= ledger.ends.count else {
            throw LedgerDamage(seq: vouching.seq, "\(relative), which this entry records, does not say which entries before it it holds")
        }
        let held = ledger.entries[..<header.entries]
        let notHeld = LedgerDamage(seq: vouching.seq, "\(relative), which this entry records, does not hold the \(header.entries) entries "
            + "before it as the ledger gives them; delete it (the next close writes it anew) and find out who changed it")
        let ledgerBytes = try FileIO.read(site.ledgerFile, followingLinks: false)
        if ledger.ends[header.entries - 1] == header.length {
            let ledgerSha = ledgerBytes.withUnsafeBytes { Hex.string(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: $0[..<header.length]))) }
            if ledgerSha == header.ledgerSha256 {
                guard LedgerPrefix.text(entries: held, ends: ledger.ends[..<header.entries], ledgerSha256: ledgerSha,
                                        version: header.version) == bytes else { throw notHeld }
                return nil
            }
        }
        // The ledger's bytes are not the ones the close recorded: the file must still hold these
        // very entries, where the close found their lines.
        let recorded = bytes.withUnsafeBufferPointer { all -> [Int]? in
            guard let lines = LedgerPrefix.lineRanges(all) else { return nil }
            return LedgerPrefix.entries(all, lines: Array(lines.dropFirst()), header: header, ledgerPath: site.ledgerFile,
                                        alongside: [])?.ends
        }
        guard let recorded,
              LedgerPrefix.text(entries: held, ends: recorded[...], ledgerSha256: header.ledgerSha256, version: header.version) == bytes
        else { throw notHeld }
        let moved = recorded.indices.first { recorded[$0] != ledger.ends[$0] }
        let rewritten = moved ?? (0..<header.entries).first { i in
            let start = i == 0 ? 0 : ledger.ends[i - 1]
            return ledgerBytes.withUnsafeBufferPointer { all in
                (try? JSONParser.parseNotingCanonical(UnsafeBufferPointer(rebasing: all[start..<(ledger.ends[i] - 1)])).isCanonical) != true
            }
        }
        return "seq \(rewritten.map { String($0 + 1) } ?? "?") is the first line not as the close that wrote \(relative) found it "
            + "(seq \(vouching.seq) records that file): the same entries, written otherwise since (spacing, member order, escapes or "
            + "CR LF line ends), so writers read the whole ledger instead until the next close writes the file anew"
    }

    /// SPEC §6: the site key's private half is readable by its owner only; every signing
    /// command refuses one others can read, and the site fails verification meanwhile.
    /// Whether there is a key file to check further (``checkSiteKey(notes:)``).
    func checkSiteKeyIsPrivate(notes: inout [String]) throws -> Bool {
        let path = SiteKeyFile.path(for: site)
        var info = stat()
        // The key itself, through a link (a mounted secret): its mode is what signing reads.
        guard stat(path, &info) == 0 else { return true }
        // A folder or other non-file there is no key at all, as a missing one: noted, and said so,
        // not as a mode to change (verify failed while every writer went on without a key).
        guard info.st_mode & S_IFMT == S_IFREG else {
            notes.append("\(path) (the site's private key) is \(DropFile.kind(info.st_mode) ?? "not a regular file"), not the key file: no key, so nothing can be signed for the "
                + "site (closes, reruns, credits and operator changes refuse) — put the site's key file back (from where it is kept safe)")
            return false
        }
        guard info.st_mode & 0o077 != 0 else { return true }
        throw LedgerDamage(seq: nil, "\(path) (the site's private key) can be read by others than its owner (mode "
            + String(info.st_mode & 0o777, radix: 8) + "): anyone who copied it can sign for the site — `chmod 600` it, "
            + "and if it may have been copied, ask an auditor")
    }

    /// What an archive no entry names, whose drop waits nowhere, is: the trace of a ledger whose
    /// end was cut, unless an ingest was killed and its drop since taken away. Said alike by
    /// `recon verify` and by every writer, which refuses to append over it.
    /// `isRecorded`: whether a SHA-256 is an archived drop's the ledger records. A file holding
    /// such bytes under another name (`SHA (1).csv`, a file browser's copy) is said as a copy.
    static func unrecordedArchives(_ names: [String], in site: Site, isRecorded: (String) -> Bool) -> String {
        func recordedSha(_ name: String) -> String? {
            guard let bytes = try? FileIO.read(site.drops + "/" + name) else { return nil }
            let sha = Hex.string(SHA256.hash(data: bytes))
            return isRecorded(sha) ? sha : nil
        }
        let copies = names.map { ($0, recordedSha($0)) }
        if let stray = copies.first(where: { $0.1 == nil })?.0 {
            let others = names.count - 1
            return "Ledger/drops/\(stray)\(others > 0 ? " and \(others) more" : "") is named by no entry, and no drop waiting "
                + "in Inbox/ or Inbox/held/ holds its bytes: entries may have been cut from the ledger's end (check it against a "
                + "checkpoint you kept: `recon verify --checkpoint FILE`). If an ingest was killed before it recorded that drop, ingest "
                + "the drop again — `recon ingest FILE` for a file named outside the Inbox, or drop it into Inbox/ — and it is "
                + "recorded; or move the file out of Ledger/drops/"
        }
        let (copy, sha) = (copies[0].0, copies[0].1 ?? "")
        return "Ledger/drops/\(copy)\(names.count > 1 ? " and \(names.count - 1) more" : "") is a copy of the archived drop "
            + "\(sha).csv under another name (a file browser's copy, say): the archive itself is in place — move the copy out of "
            + "Ledger/drops/, where nothing but the ledger's archives may stand"
    }

    /// The archives in `Ledger/drops/` no entry names (`isRecorded` says which SHA-256s one
    /// does): those a drop waiting for its ingest holds the bytes of (an ingest killed before its
    /// entry left them; also a file `named` by the command at hand), and the others. Alike for
    /// `recon verify` (which notes the first and refuses the others), every writer (which
    /// removes the first) and the readers that check as writers do.
    static func strayArchives(in site: Site, isRecorded: (String) -> Bool, named: [String] = []) -> (waiting: [String], unwaited: [String]) {
        // Every file but a recorded archive, whatever its name (`.SHA.csv`, `SHA.csv.part`: an
        // orphan renamed so is still an orphan, and an auditor's verifier names it), apart from
        // an unfinished write's own hidden file, which the next writer sweeps, and what an editor
        // or a file browser puts beside a file it shows (an auditor who opened an archive).
        let strangers = FileIO.list(site.drops).filter { name in
            !(name.hasSuffix(".csv") && isRecorded(String(name.dropLast(4)))) && !DocumentRepair.isTemporaryName(name)
                && !ViewerFile.matches(name) && FileStatus.of(site.drops + "/" + name)?.kind != .folder
        }
        guard !strangers.isEmpty else { return ([], []) }
        let waiting = waitingDrops(site, named: named)
        return (strangers.filter { waiting.contains(String($0.dropLast(4))) }, strangers.filter { !waiting.contains(String($0.dropLast(4))) })
    }

    /// What an auditor's strict verifier refuses and recon excuses (``Report/strictOnly``): every
    /// file no entry names in `Ledger/drops/` and in a folder of final documents at any depth,
    /// whatever its name, but recon's own unfinished writes (said as such), and every file in
    /// `Ledger/keys/` named like a private key that its group or others can read.
    static func strictOnly(in site: Site, documentFolders: [String], documents: Set<String>, archives: Set<String>) -> [String] {
        var out: [String] = []
        for folder in ["Ledger/drops"] + documentFolders {
            for name in FileIO.list(site.path(folder)) where !DocumentRepair.isTemporaryName(name) {
                let relative = folder + "/" + name
                guard FileStatus.of(site.path(relative))?.kind == .regularFile, !documents.contains(relative), !archives.contains(relative)
                else { continue }
                out.append("\(relative) is named by no entry (a viewer's file, or another hidden one); an auditor's strict verifier "
                    + "refuses it while it is there — move it out")
            }
        }
        for name in FileIO.list(site.path("Ledger/keys")) {
            let low = name.lowercased(), path = site.path("Ledger/keys/" + name)
            guard low.hasSuffix(".key") || low.hasSuffix(".sec") || low.contains("priv") || low.contains("secret"),
                  FileStatus.of(path)?.kind == .regularFile, SiteKeyFile.othersCanRead(path) else { continue }
            out.append("Ledger/keys/\(name) can be read by others than its owner; `chmod 600` it, or move it out")
        }
        return out
    }

    /// recon's own unfinished writes (`.NAME.PID.tmp`) in the folders an auditor's verifier
    /// reads whole — `Ledger/drops/` and every folder of final documents — as paths in the site.
    static func unfinishedWrites(in site: Site, documentFolders: [String]) -> [String] {
        let dirs = ["Ledger/drops"] + documentFolders
        return dirs.flatMap { dir in FileIO.hiddenNames(in: site.path(dir)).filter(DocumentRepair.isTemporaryName).sorted().map { dir + "/" + $0 } }
    }

    /// Where the drop whose archive is `archive` (`SHA.csv`) waits, for people: the file a
    /// stopped `recon ingest FILE` named (which only that command takes again: no watcher
    /// and no bare ingest ever will), else the Inbox.
    static func whereWaiting(archive: String, in site: Site) -> String {
        let sha = String(archive.dropLast(4))
        guard let named = NamedDropMarker.stopped(in: site)[sha] else {
            // A rerun stopped after archiving a held drop leaves it in held/, where no ingest looks.
            let held = HeldDrops.heldDrops(in: site)
            if held.contains(where: { Ingestor.sha256(ofDrop: site.held + "/" + $0) == sha }) {
                return "in Inbox/held/ (the rerun of the closed month it touches takes it)"
            }
            return "in the Inbox (the next ingest takes it)"
        }
        let command = "recon ingest --site \(ShellWord.quoted(SafeText.escaped(site.root))) \(ShellWord.quoted(SafeText.escaped(named)))"
        guard NamedDropMarker.stillHolds(named, sha: sha) else {
            return "nowhere: `recon ingest` named it at \(SafeText.escaped(named)), which no longer holds those bytes (changed or "
                + "gone since); if that file is to be recorded, `\(command)` takes it as it is now"
        }
        return "at \(SafeText.escaped(named)), where `recon ingest` named it: nothing takes it from there but `\(command)` again"
    }

    /// The stray archives' damage, said; nil when there is none (``strayArchives(in:isRecorded:named:)``).
    /// For the commands that check as writers do but remove nothing (`statement`, a dry run).
    static func unrecordedArchiveDamage(_ site: Site, isRecorded: (String) -> Bool) -> String? {
        let unwaited = strayArchives(in: site, isRecorded: isRecorded).unwaited
        return unwaited.isEmpty ? nil : unrecordedArchives(unwaited, in: site, isRecorded: isRecorded)
    }

    /// The SHA-256 of each drop waiting in `Inbox/` and `Inbox/held/`: regular files under a
    /// name recon reads (a `.part`, `.tmp` or dot name is never taken, so hides nothing); of each
    /// file `named`; and of each drop named outside the Inbox by an ingest stopped before its
    /// entry (``NamedDropMarker``).
    static func waitingDrops(_ site: Site, named: [String] = []) -> Set<String> {
        var paths = named
        for dir in [site.inbox, site.held] {
            paths += FileIO.list(dir).filter { !Ingestor.isNeverRead($0) }.map { dir + "/" + $0 }
        }
        var out = Set<String>()
        for path in paths where FileIO.isRegularFile(path) {
            if let sha = Ingestor.sha256(ofDrop: path) { out.insert(sha) }
        }
        return out.union(NamedDropMarker.stopped(in: site).keys)
    }

    /// The site key is the one `site.init` records: another site's key (swapped in, or named by
    /// `site_key`) would sign checkpoints no verifier accepts. A key that cannot be read is
    /// noted: nothing is signed with it, and closes, reruns and credits refuse until it is back.
    func checkSiteKey(notes: inout [String]) throws {
        // Kept private by another user (the site's, as SPEC §6 asks): an auditor verifying under
        // an account of their own was told to restore an intact key from backup. Verify needs
        // no private key; the site's writers, running as its owner, check it.
        let key = SiteKeyFile.path(for: site)
        if access(key, R_OK) != 0, errno == EACCES {
            // The key's owner, or its folder's when that folder is closed to this user too.
            var info = stat()
            if stat(key, &info) == 0 || stat(FileIO.parent(of: key), &info) == 0, info.st_uid != geteuid() { return }
        }
        do {
            _ = try SiteKeyFile.load(site)
        } catch let failure as ReconFailure where failure.code == .verification {
            throw LedgerDamage(seq: 1, failure.message)
        } catch {
            notes.append("the site key cannot be used: \(error); nothing can be signed until it is back")
        }
    }

    /// A document prints the ledger state it was issued under (`issued_under`: the entry count
    /// and head before its command appended): that entry must be in the chain with that hash.
    /// A ledger rewritten from its start under another key keeps the documents' entries, and
    /// what they print then names heads the chain no longer has.
    static func issuedUnderProblem(_ e: LedgerEntry, entries: [LedgerEntry]) -> LedgerDamage? {
        guard let under = e.body["issued_under"]?.objectValue else { return nil }  // the first builds recorded none
        guard let seq = under["seq"]?.intValue, let head = under["head"]?.stringValue, seq >= 1, seq < e.seq else {
            return LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") records an issued_under that is not the count "
                + "and head of entries before it; recon writes no such entry")
        }
        guard entries[Int(seq) - 1].hash == head else {
            return LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") was issued under seq \(seq) with head \(head), "
                + "but the ledger's seq \(seq) has hash \(entries[Int(seq) - 1].hash): the entries before it were rewritten")
        }
        return nil
    }

    /// A flag's id follows from what it is (SPEC §4: its code, period and subject): a hard
    /// flag's from its report, a soft one's from its code, party, subject and period. One that
    /// does not (a hard flag's severity turned soft, its subject or period moved) was edited.
    static func flagIdProblem(_ f: AuditFlag) -> String? {
        switch f.severity {
        case .hard:
            guard f.id == HardGate.flagId(reportId: f.subject), f.code == HardGate.code else {
                return "flag.raised \(f.id) is not the hard flag of report \(f.subject) (\(HardGate.code), id "
                    + "\(HardGate.flagId(reportId: f.subject))): its severity, code or subject was changed"
            }
        case .soft:
            let ids = PartyPeriodStats.Party.allCases.map { SoftFlag.id(code: f.code, party: $0, subject: f.subject, period: f.period.description) }
            guard ids.contains(f.id) else {
                return "flag.raised \(f.id) is not the id of a \(f.code) finding on \(f.subject) in \(f.period): its severity, code, "
                    + "subject or period was changed"
            }
        }
        return nil
    }

    /// `Ledger/keys/site.pub`, when there, is the key `site.init` records: it is what an auditor
    /// copies to pin (`--public-key`), and another key there would have them pin the wrong one.
    /// Writers check it too: nothing is appended to a site `recon verify` fails.
    static func checkPublicKeyFile(of site: Site, recorded: VerifierKey) throws {
        guard FileIO.exists(site.publicKeyFile) || DropFile.nonRegularKind(site.publicKeyFile) != nil else { return }
        // One this user may not read (another user's, mode 600) is no other key: the key to pin
        // is site.init's, which verify says; it read as "not the public key site.init records".
        if FileIO.isRegularFile(site.publicKeyFile), access(site.publicKeyFile, R_OK) != 0 { return }
        let text: String
        do {
            text = String(decoding: try FileIO.read(site.publicKeyFile, followingLinks: false), as: UTF8.self)
        } catch let failure as FileIO.Failure where DropFile.nonRegularKind(site.publicKeyFile) == nil {
            // Its bytes could not be had (an I/O error that outlasted the tries again): nothing was
            // judged, and it is not "another key" — exit 1, naming the error.
            throw failure
        } catch {
            text = ""
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (try? VerifierKey(text: trimmed)) != recorded else { return }
        throw LedgerDamage(seq: 1, "Ledger/keys/site.pub is not the public key site.init records (\(recorded.text)): an auditor "
            + "pinning it would pin another key — write the recorded one back into it, and find out who changed it")
    }

    /// A final document in the Outbox that no entry issued (`CN-2026-000001.xlsx` in a period's
    /// credit-notes folder), `issued` the files the ledger's entries name: workbooks are put in
    /// place only after their entries, so one without an entry is what a ledger whose tail was
    /// cut leaves — a credit note the client holds, whose number the next command would issue
    /// again for another amount. A file named like an issued one in another place (a filing copy
    /// in another month's folder) is no trace of a cut, and is told so: it is still a document
    /// no entry names there, as an auditor's verifier reports it.
    /// `folders`: the folders of final documents (``OutboxCheck/documentFolderPaths()``), when
    /// the caller has walked the Outbox for them already.
    func checkNoUnissuedDocuments(issued: Set<String>, in folders: [String]? = nil) throws {
        let byNumber = Dictionary(issued.map { (FileIO.baseName($0), $0) }, uniquingKeysWith: { a, _ in a })
        let check = OutboxCheck(site: site)
        for folder in folders ?? check.documentFolderPaths() {
            guard let relative = check.firstUnissuedDocument(in: folder, issued: issued.contains) else { continue }
            let name = FileIO.baseName(relative)
            if FileStatus.of(site.path(relative))?.kind == .folder {
                let why = OutboxCheck.isDocumentName(name)
                    ? "it is named like a document, and stands where a close would put it"
                    : "a file in it is named like a document, or lies in a folder named as a documents folder"
                throw LedgerDamage(seq: nil, "\(relative) is a folder inside a folder of final documents, which holds only the "
                    + "documents the ledger issued (\(why)): move it out of Outbox/")
            }
            if !OutboxCheck.isDocumentName(name) {
                throw LedgerDamage(seq: nil, "\(relative) is in a folder of final documents, but no ledger entry issued it (a renamed "
                    + "or saved-again copy, say): move it out of Outbox/ — these folders hold only the documents the ledger issued, "
                    + "and a file there could pass for one")
            }
            if let original = byNumber[name] {
                throw LedgerDamage(seq: nil, "\(relative) is not where its entry put \(name) (\(original)): a copy "
                    + "in a final document's place, which no entry names — move it out of Outbox/ (documents are kept only where "
                    + "their entries put them)")
            }
            throw LedgerDamage(seq: nil, "\(relative) is a final document no ledger entry issued: entries may have "
                + "been cut from the ledger's end — restore Ledger/ from a backup, and check it against a checkpoint kept "
                + "outside the site (`recon verify --checkpoint FILE`)")
        }
    }

    /// The site's checkpoint `SEQ.txt`: the site's own file (never reached through a link,
    /// ``VouchedPlaces``), signed over the ledger's first `seq` entries.
    func checkCheckpoint(_ seq: Int, ledger: LedgerFile, verifier: VerifierKey, siteName: String) throws {
        let relative = Checkpointer.relativePath(seq: seq)
        if let linked = VouchedPlaces.damage("checkpoint", relative, seq: seq, in: site) { throw linked }
        try checkNote(site.path(relative), name: "checkpoint \(seq).txt", fileSeq: seq, ledger: ledger, verifier: verifier,
                      siteName: siteName)
    }

    /// Every other `.txt` in `Ledger/checkpoints/` (``CheckpointFiles/otherNotes(in:)``) as an
    /// auditor's verifier reads it: a checkpoint whose name, zeros before it allowed, is its
    /// count. `0600.txt` holding a bad signature, or `notes.txt`, was passed over here while the
    /// auditor's verifier refused the site; a copy as `0663.txt` of `663.txt` passes both.
    func checkOtherNotes(ledger: LedgerFile, verifier: VerifierKey, siteName: String) throws {
        for name in CheckpointFiles.otherNotes(in: site.checkpoints) {
            let stem = name.dropLast(4)
            let said = "Ledger/checkpoints/\(name) (not named as recon names a checkpoint, SEQ.txt, yet read as one by an auditor's "
                + "verifier; move it out of Ledger/checkpoints/ if it is none)"
            // Decimal digits of any script, as that verifier reads them (`١١.txt` is 11).
            let digits = stem.compactMap { $0.unicodeScalars.count == 1 && $0.unicodeScalars.first!.properties.numericType == .decimal
                ? $0.wholeNumberValue : nil }
            guard !stem.isEmpty, digits.count == stem.count, digits.count <= 18 else {
                throw LedgerDamage(seq: nil, "\(said): its name is no entry count")
            }
            let seq = digits.reduce(0) { $0 * 10 + $1 }
            try checkNote(site.checkpoints + "/" + name, name: said, fileSeq: seq, ledger: ledger, verifier: verifier, siteName: siteName)
        }
    }

    func checkNote(_ path: String, name: String, fileSeq: Int?, ledger: LedgerFile, verifier: VerifierKey,
                           siteName: String) throws {
        let text: String
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path)
        } catch let failure as FileIO.Failure where failure.isPermission {
            throw failure  // this user may not read it: no damage to the site (exit 1, its owner named)
        } catch {
            throw LedgerDamage(seq: fileSeq, "\(name): \(error)")
        }
        do {
            text = try SignedNote.open(bytes, verifier: verifier)
        } catch {
            throw LedgerDamage(seq: fileSeq, "\(name): \(error)")
        }
        let checkpoint: (origin: String, count: Int, headHex: String)
        do {
            checkpoint = try SignedNote.parseCheckpoint(text)
        } catch {
            throw LedgerDamage(seq: fileSeq, "\(name): \(error)")
        }
        guard checkpoint.origin == siteName else {
            throw LedgerDamage(seq: fileSeq, "\(name): its text is not `\(siteName)`, a count and a head hash")
        }
        let count = checkpoint.count
        if let fileSeq, fileSeq != count { throw LedgerDamage(seq: fileSeq, "\(name): names \(count) entries, not \(fileSeq)") }
        guard count >= 1, count <= ledger.entries.count else {
            throw LedgerDamage(seq: count, "\(name) covers \(count) entries but the ledger holds \(ledger.entries.count): entries were removed")
        }
        guard checkpoint.headHex == ledger.entries[count - 1].hash else {
            throw LedgerDamage(seq: count, "\(name): the head hash differs from the hash of seq \(count) — the ledger was rewritten")
        }
    }

    /// The writers' document seal is a cache (SPEC §6): never used here, where every document
    /// and archived drop is hashed, but it must be signed by the site key and seal only what
    /// the ledger issued or archived.
    private func checkSeal(verifier: VerifierKey, siteName: String, recorded: [String: (sha: String, seq: Int)]) throws {
        let advice = "; it is a cache of the writers' document checks: delete it, and the next writing command hashes every document"
        let seal: DocumentSeal?
        do {
            seal = try DocumentSeal.read(site, verifier: verifier, siteName: siteName)
        } catch let problem as SignedCacheProblem where problem.unreadable != nil {
            throw problem.unreadable!  // this user may not read it: no damage (exit 1, its owner named)
        } catch {
            throw LedgerDamage(seq: nil, "\(error)" + advice)
        }
        if let damage = seal?.unrecordedFile({ recorded[$0]?.sha }) { throw damage }
    }

    /// `recon status`'s cache (SPEC §6): signed by the site key, and, when it is the one
    /// `status` would show today (it describes this ledger, `recon.toml`, day and program),
    /// showing what the ledger says: its figures are computed again and compared.
    private func checkStatusCache(ledger: LedgerFile, verifier: VerifierKey, siteName: String, clock: SiteClock,
                                  session: () throws -> SiteSession) throws {
        let advice = "; it is a cache of `recon status`: delete it, and the next status computes its figures from the ledger"
        let cache: StatusCache?
        do {
            cache = try StatusCache.read(site, verifier: verifier)
        } catch let problem as SignedCacheProblem where problem.unreadable != nil {
            throw problem.unreadable!  // this user may not read it: no damage (exit 1, its owner named)
        } catch {
            throw LedgerDamage(seq: nil, "\(error)" + advice)
        }
        // The one `status` would show: for the ledger as read here (no tail after its entries).
        guard let cache, ledger.halfWrittenBytes == 0, cache.key.ledgerLength == ledger.contentLength,
              cache.key.ledgerSha256 == ledger.contentSha256,
              let zone = ledger.entries.first?.string("timezone").flatMap(SiteTimeZone.init(identifier:)),
              cache.fits(site, siteName: siteName, zone: zone, clock: clock) else { return }
        guard try StatusReport.settled(session: try session()) == cache.settled else {
            throw LedgerDamage(seq: nil, "\(StatusCache.relativePath) shows other figures than the ledger gives" + advice)
        }
    }

    /// The margin summary's kept `Detail` rows (SPEC §6): the note signed by the site key and,
    /// when it names bytes that are there and rows the summary would show now (this program,
    /// these figures), those rows built again and compared with the kept ones.
    private func checkMarginDetailCache(ledger: LedgerFile, verifier: VerifierKey, session: () throws -> SiteSession,
                                        notes: inout [String]) throws {
        let advice = "; it keeps the margin summary's closed rows between commands: delete \(MarginDetailCache.notePath) and "
            + "\(MarginDetailCache.bytesPath), and the next command builds them again"
        let note: MarginDetailCache.Note
        do {
            guard let read = try MarginDetailCache.note(site, verifier: verifier) else { return }
            note = read
        } catch let problem as SignedCacheProblem where problem.unreadable != nil {
            throw problem.unreadable!  // this user may not read it: no damage (exit 1, its owner named)
        } catch {
            throw LedgerDamage(seq: nil, "\(error)" + advice)
        }
        // Bytes that are not the ones signed, or rows of another program, are never used.
        let cache = MarginDetailCache(site: site, verifier: verifier, signing: nil)
        guard ledger.halfWrittenBytes == 0, note.program == StatusCache.program else { return }
        guard let kept = cache.packed(note) else {
            // Never read so (a command killed between the two files leaves the same): said, not damage.
            notes.append("\(MarginDetailCache.bytesPath) is not the bytes its note signs: it is not used, and the next command "
                + "that writes the margin summary writes it again")
            return
        }
        // Rebuilt as a workbook outside the site (verify writes nothing in it): in $TMPDIR, else in
        // /dev/shm or /var/tmp. A `/tmp` full or read-only ended verify with exit 1 and no verdict
        // on an intact site; with nowhere to build, the cache goes unchecked and is said so.
        var built: KeptClosedRows?, failures: [String] = []
        let writer = MarginSummaryWriter(session: try session())
        for folder in [FileManager.default.temporaryDirectory.path, "/dev/shm", "/var/tmp"] where built == nil {
            let scratch = folder + "/recon-verify-\(getpid())-margin-summary.xlsx"
            do {
                guard let part = try writer.closedPart(for: note.key, scratch: scratch) else { return }
                built = part
            } catch where error is XLSXError || error is FileIO.Failure {
                failures.append("\(error)")
            }
        }
        guard let built else {
            notes.append("\(MarginDetailCache.bytesPath) was not checked: recon verify builds the margin summary's closed part "
                + "outside the site, and no folder would take it (\(failures.first ?? "")); set TMPDIR to a writable folder to check it")
            return
        }
        guard let xml = kept.inflated(), kept.rows == built.packed.rows, kept.columns == built.packed.columns,
              xml == built.packed.inflated() else {
            throw LedgerDamage(seq: nil, "\(MarginDetailCache.bytesPath) holds other rows than the ledger gives the margin summary" + advice)
        }
        guard note.styles == built.styles, note.months == built.months, note.clients == built.clients else {
            throw LedgerDamage(seq: nil, "\(MarginDetailCache.notePath) holds other sums or styles than the ledger gives the margin summary"
                + advice)
        }
    }

    private func check(file: String, sha: String, seq: Int, what: String) throws {
        guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
            throw LedgerDamage(seq: seq, "\(what) path \(file) leaves the site")
        }
        let path = site.path(file)
        guard FileIO.exists(path) else {
            // A document is reproducible from its entry: say so, as a crash between an append and
            // its renames leaves this too (no archived drop is).
            if let blocking = Self.nonFolderAbove(file, in: site) {
                throw LedgerDamage(seq: seq, "\(what) \(file) is missing: \(blocking) is not a folder (something else stands where "
                    + "it should be); move it away")
            }
            if what == "document", let empty = UnlistedFolders.emptyOutboxLink(in: site) { throw empty }
            let after = what == "document" ? " (deleted or moved since it was issued, or left out by an interrupted command: the next "
                + "writing command regenerates it from its entry, byte for byte)" : ""
            throw LedgerDamage(seq: seq, "\(what) \(file) is missing\(after)")
        }
        let actual = try LedgerDamage.reading(what, file, seq: seq, in: site) { try HashedFileWindow.sha256(of: path) }
        guard actual == sha else { throw LedgerDamage(seq: seq, "\(what) \(file) does not match its recorded SHA-256" + Self.changedAdvice(what)) }
    }

    /// What to do about an issued document whose bytes changed: a spreadsheet's Save on an
    /// invoice opened from `Outbox/` stopped every command, whose only advice was a backup.
    static func changedAdvice(_ what: String) -> String {
        what == "document" ? " (changed since it was issued — a spreadsheet's Save, say: move it out of Outbox/, keeping it if "
            + "someone must see what was changed, and the next writing command puts back the issued one from its entry, byte for byte)" : ""
    }

    /// The first of the folders above `file` (relative to the site) that exists and is not a folder.
    static func nonFolderAbove(_ file: String, in site: Site) -> String? {
        var relative = ""
        for part in file.split(separator: "/").dropLast() {
            relative += (relative.isEmpty ? "" : "/") + part
            let path = site.path(relative)
            if FileIO.exists(path) && !FileIO.isDirectory(path) { return relative }
        }
        return nil
    }

    private func fileRefs(_ v: JSONValue) -> [(String, String)] {
        switch v {
        case .object(let o):
            var out: [(String, String)] = []
            if let f = o["file"]?.stringValue, let s = o["sha256"]?.stringValue { out.append((f, s)) }
            for key in o.keys.sorted() { out += fileRefs(o[key]!) }
            return out
        case .array(let a): return a.flatMap(fileRefs)
        default: return []
        }
    }
}
