import Crypto
import Foundation

/// `.recon/status.cache`: the settled part of `recon status` (``StatusReport/Settled``, every
/// figure it shows), kept with what it was made from and signed with the site key.
///
/// Everything in that part follows from the ledger's entries, `recon.toml`, the day in the
/// site's time zone and the program: replaying a year of entries and pricing a month of
/// reports to show the same figures again would make `status` cost what the site holds. So
/// the writer that leaves the site as it is (an ingest's or a decision's drafts) and a
/// `status` that had to compute the figures keep them here, keyed by:
///
/// - the SHA-256 and length of the ledger bytes whose entries they were computed from, as
///   checked then (``LedgerFile/contentSha256``): a ledger holding other bytes, even one more
///   half-written line, is not the one they describe;
/// - the SHA-256 of `recon.toml`'s bytes, the day, and the running program's file;
/// - the size and modification time of every drop cache and closed-period index there:
///   one gone, added or rewritten sends `status` the long way, which warns about it or puts
///   it back, as it always has.
///
/// `status` uses it only when all of these hold and its signature verifies under the
/// `public_key` of the very ledger it describes; otherwise it computes the figures and
/// writes a new one. It is a cache: lost without harm, never used for what is appended or
/// issued, synced before it is renamed into place (``SignedNote/writeFile(_:text:key:)``: a
/// power cut leaves the old one or the new one, never a torn one); `recon verify` checks
/// its signature and, when it is the one `status` would show today, computes its figures
/// again from the ledger (SPEC §6: every cache checked).
///
/// The closed periods' part of the figures (`closed_periods`: after a year six thousand
/// documents, nearly all of the cache's bytes) is a file of its own,
/// `.recon/status-closed.json`, which the signed note names by its length and SHA-256, with
/// what it was made from (``closedKey(of:program:)``). It changes only with a close, rerun,
/// document, a decision on a closed month or a drop awaiting its rerun: a writer whose part
/// would be made from the same reads the note on disk and names the part it names, and
/// neither makes, reads nor signs its bytes. A part that does not hash to what the note says
/// is never shown (a warning says so; `recon verify` reports it); one that is gone makes the
/// cache unusable, as if it were gone.
public struct StatusCache: Equatable {
    /// What the settled part was made from.
    public struct Key: Equatable {
        public var site: String
        public var ledgerLength: Int
        public var ledgerSha256: String
        public var configSha256: String
        /// The day in the site's time zone (receivables age by it, a month's volume is read per day elapsed).
        public var today: LocalDate
        /// The running program's file (``StatusCache/program``): another build may word things otherwise.
        public var program: String
        /// Site-relative path → size and modification time of the derived files the state was read from.
        public var files: [String: String]
        /// What the closed periods' part was made from (``StatusCache/closedKey(of:program:)``).
        public var closed: String
    }

    public var key: Key
    public var settled: StatusReport.Settled

    /// The first line of the cache's text: no checkpoint or seal reads as one.
    static let header = "recon status cache 2"
    public static let relativePath = ".recon/status.cache"
    /// The closed periods' part: the `closed_periods` member's canonical JSON.
    public static let closedRelativePath = ".recon/status-closed.json"

    /// The closed periods' part as the note names it.
    struct ClosedPart: Equatable {
        var length: Int
        var sha256: String
    }

    static func path(_ site: Site) -> String { site.path(relativePath) }

    /// The stamp of the running program's file, or nil where the system does not say.
    static var program: String? {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return nil }
        return FileStamp(info).text
    }

    /// The derived files a state of `site` is read from, each with its size and modification
    /// time: drop caches and closed-period indexes. The figures do not rest on them (each is
    /// read only once it hashes to what the ledger vouches for, else the archived drops are);
    /// a file gone or rewritten sends `status` the long way, which puts it back or warns
    /// about it. A copy of the site that keeps the times (a backup put back) keeps its cache.
    /// And the checkpoints the ledger was checked against, the archived drops, the public key
    /// an auditor pins and the vouched ledger prefix: one added, removed or rewritten sends
    /// `status` the long way, which checks them as a writer does. Each with its status-change
    /// time too: a file rewritten with its size and modification time put back (`touch -r`)
    /// still moves it, and an edited cache, archive or key answered from the cache, exit 0,
    /// where the long way refused or warned.
    static func derivedFiles(_ site: Site) -> [String: String] {
        var files: [String: String] = [:]
        func add(_ relative: String) {
            if let stamp = FileStamp.of(site.path(relative)) { files[relative] = stamp.text }
        }
        for dir in [".recon/cache", ".recon/closed", "Ledger/checkpoints", "Ledger/drops"] {
            for name in FileIO.list(site.path(dir)) where !name.hasPrefix(".") { add(dir + "/" + name) }
        }
        add(Site.publicKeyRelativePath)
        add(LedgerPrefix.relativePath)
        return files
    }

    /// The key of an opened site as its session read it; nil where the program cannot be named.
    static func key(of session: SiteSession) -> Key? {
        guard let program else { return nil }
        let today = session.state.zone.today(now: session.clock.now())
        return Key(site: session.state.name, ledgerLength: session.ledger.contentLength, ledgerSha256: session.ledger.contentSha256,
                   configSha256: session.configSha256, today: today, program: program, files: derivedFiles(session.site),
                   closed: closedKey(of: session, program: program))
    }

    /// What the closed periods' part is made from, as a SHA-256: the program; the newest entry
    /// that closes or reruns a period or issues a document, by seq and hash (its hash chains
    /// every entry before it, so every close and document of the part); and what later
    /// entries change in it — the drops awaiting a rerun of a closed period and its undecided
    /// hard flags. A few hundred entries are looked at after a close, never the documents.
    static func closedKey(of session: SiteSession, program: String) -> String {
        var text = "recon status closed periods\nprogram \(program)\n"
        if let e = session.ledger.entries.last(where: { $0.kind == "period.closed" || $0.kind == "rerun" || $0.eventKind?.document != nil }) {
            text += "settled \(e.seq) \(e.hash)\n"
        }
        let state = session.state
        for (period, drops) in state.awaitingRerun.sorted(by: { $0.key < $1.key }) where state.closedPeriods[period] != nil {
            text += "awaiting \(period) \(drops.joined(separator: " "))\n"
        }
        for (period, flags) in StatusFigures.undecidedClosed(state).sorted(by: { $0.key < $1.key }) {
            for f in flags.sorted(by: { $0.id < $1.id }) { text += "undecided \(period) \(f.id) \(f.report)\n" }
        }
        return Hex.string(SHA256.hash(data: Array(text.utf8)))
    }

    // MARK: - Writing

    /// Whether a session's figures may be kept: not when its state came from something the
    /// long way would warn about again (a cache file that failed its check, one the ledger
    /// does not vouch for).
    public static func keeps(_ session: SiteSession) -> Bool {
        session.stateIsFromCheckedDrops && session.replayNotes.warnings.isEmpty
    }

    /// Keeps the settled part of an opened site, signed with its key: nothing when the
    /// session's figures are not to be kept (``keeps(_:)``), the key cannot be read (a reader
    /// without it) or the program cannot be named. Never throws: it is only a speed-up.
    public static func store(_ settled: StatusReport.Settled, session: SiteSession) {
        keep(for: session) { key, siteKey in try StatusCache(key: key, settled: settled).write(session.site, key: siteKey) }
    }

    /// ``store(_:session:)`` for figures a writer has just made: their JSON goes into the cache
    /// as canonical bytes (``StatusFigures/canonicalJSON()``), never built as values.
    static func store(_ figures: StatusFigures, session: SiteSession) {
        keep(for: session) { key, siteKey in
            // The closed periods' part the cache on disk names, when made from what this one's would be; else made anew.
            let closed = try keptClosedPart(session.site, for: key, verifier: siteKey.verifierKey)
                ?? writeClosed(session.site, figures.closedPeriodsCanonical())
            try write(session.site, key: key, entries: figures.entries, head: figures.head, before: figures.textBeforeCheckpoint,
                      after: try figures.textAfterCheckpoint(), json: try figures.canonicalJSON(), closed: closed, signing: siteKey)
        }
    }

    /// The closed periods' part named by the cache on disk, signed by `verifier`, when it was
    /// made for this site by this program from what `key`'s would be and its file is there at
    /// its length. Its bytes are not read: `status` checks them against the note before it
    /// shows them, so a part changed since is never shown, and a writer never signs its hash.
    private static func keptClosedPart(_ site: Site, for key: Key, verifier: VerifierKey) -> ClosedPart? {
        guard let note = try? readNote(site, verifier: verifier), note.key.site == key.site, note.key.program == key.program,
              note.key.closed == key.closed, let stamp = FileStamp.of(site.path(closedRelativePath)),
              stamp.size == Int64(note.closed.length) else { return nil }
        return note.closed
    }

    /// Writes the closed periods' part, synced and renamed into place durably before the note
    /// naming it is written. The note on disk, which names the part there now, goes first: a
    /// writer killed between the two left a note naming a part it no longer had, which
    /// `recon verify` reads as damage on an intact site.
    private static func writeClosed(_ site: Site, _ bytes: [UInt8]) throws -> ClosedPart {
        let path = site.path(closedRelativePath)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        if FileIO.exists(Self.path(site)) {
            try FileIO.removeChecked(Self.path(site))
            try FileIO.syncDirectory(FileIO.parent(of: Self.path(site)))
        }
        try FileIO.writeAtomically(path, bytes)
        return ClosedPart(length: bytes.count, sha256: Hex.string(SHA256.hash(data: bytes)))
    }

    /// Runs `write` with the session's key and the site key when its figures are to be kept;
    /// what it throws is dropped.
    private static func keep(for session: SiteSession, _ write: (Key, SigningKey) throws -> Void) {
        guard keeps(session), let key = key(of: session), let siteKey = try? SiteKeyFile.load(session.site) else { return }
        try? write(key, siteKey)
    }

    func write(_ site: Site, key signing: SigningKey) throws {
        var json = settled.json
        let closed = try Self.writeClosed(site, JCS.canonical(json.removeValue(forKey: "closed_periods") ?? .array([])))
        try Self.write(site, key: key, entries: settled.entries, head: settled.head, before: settled.textBeforeCheckpoint,
                       after: settled.textAfterCheckpoint, json: JCS.canonical(.object(json)), closed: closed, signing: signing)
    }

    /// The cache's text: its key and figures, `json` already canonical and without the
    /// closed periods, which `closed` names.
    private static func write(_ site: Site, key: Key, entries: Int, head: String, before: String, after: String, json: [UInt8],
                              closed: ClosedPart, signing: SigningKey) throws {
        let body: [String: JSONValue] = [
            "site": .string(key.site),
            "ledger": .object(["length": .int(Int64(key.ledgerLength)), "sha256": .string(key.ledgerSha256)]),
            "config_sha256": .string(key.configSha256),
            "today": .string(key.today.description),
            "program": .string(key.program),
            "files": .object(key.files.mapValues { .string($0) }),
            "entries": .int(Int64(entries)),
            "head": .string(head),
            "text_before_checkpoint": .string(before),
            "text_after_checkpoint": .string(after),
            "closed_periods": .object(["key": .string(key.closed), "length": .int(Int64(closed.length)),
                                       "sha256": .string(closed.sha256)]),
        ]
        // Bytes throughout: a year's documents make a text of a megabyte.
        var text = Array((header + "\n").utf8)
        text += JCS.canonicalObject(body, raw: ["json": json])
        text.append(10)
        try SignedNote.writeFile(path(site), text: text, key: signing)
    }

    // MARK: - Reading

    /// The cache of `site` as signed by `verifier`, its closed periods' part read and checked
    /// against the note; nil when there is none, or its closed periods' part is gone.
    /// - Throws: ``SignedCacheProblem`` when its signature fails, it does not read as one, or
    ///   its closed periods' part is not the one it names.
    static func read(_ site: Site, verifier: VerifierKey) throws -> StatusCache? {
        guard let note = try readNote(site, verifier: verifier) else { return nil }
        func unusable(_ reason: String) -> SignedCacheProblem { SignedCacheProblem(file: closedRelativePath, reason: reason) }
        let path = site.path(closedRelativePath)
        guard FileIO.exists(path) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, followingLinks: false)
        } catch let failure as FileIO.Failure where failure.isPermission {
            // This user may not open it: no damage (verify exits 1, its owner named).
            throw SignedCacheProblem(file: closedRelativePath, reason: "\(failure)", unreadable: failure)
        } catch {
            throw unusable("it could not be read as a file")
        }
        guard bytes.count == note.closed.length, Hex.string(SHA256.hash(data: bytes)) == note.closed.sha256 else {
            throw unusable("it is not the closed periods' part \(relativePath) names (its length and SHA-256 differ)")
        }
        guard let value = try? bytes.withUnsafeBufferPointer({ try JSONParser.parse(buffer: $0) }), case .array = value else {
            throw unusable("it is not a JSON array")
        }
        var settled = note.settled
        settled.json["closed_periods"] = value
        return StatusCache(key: note.key, settled: settled)
    }

    /// The signed note alone: the key, and the figures but the closed periods, which it names.
    private struct Note {
        var key: Key
        var settled: StatusReport.Settled
        var closed: ClosedPart
    }

    private static func readNote(_ site: Site, verifier: VerifierKey) throws -> Note? {
        guard let text = try SignedNote.openCacheBytes(relativePath, of: site, verifier: verifier) else { return nil }
        func unusable(_ reason: String) -> SignedCacheProblem { SignedCacheProblem(file: relativePath, reason: reason) }
        let prefix = Array((header + "\n").utf8)
        // Another form of the cache, signed by the site key: an earlier build's (a site upgraded
        // since), not this program's to read, and no damage — as if there were none.
        if !text.starts(with: prefix) && text.starts(with: Array("recon status cache ".utf8)) { return nil }
        guard text.starts(with: prefix), text.last == 0x0A else { throw unusable("its first line is not `\(header)`") }
        let json = text.dropFirst(prefix.count).dropLast()
        guard let value = try? json.withUnsafeBufferPointer({ try JSONParser.parse(buffer: $0) }),
              case .object(let o) = value,
              let site = o["site"]?.stringValue, let ledger = o["ledger"],
              let length = ledger["length"]?.intValue, let sha = ledger["sha256"]?.stringValue,
              let config = o["config_sha256"]?.stringValue, let today = o["today"]?.stringValue.flatMap({ LocalDate(Substring($0)) }),
              let program = o["program"]?.stringValue, case .object(let files)? = o["files"],
              let entries = o["entries"]?.intValue, let head = o["head"]?.stringValue,
              let before = o["text_before_checkpoint"]?.stringValue, let after = o["text_after_checkpoint"]?.stringValue,
              case .object(let members)? = o["json"], members["closed_periods"] == nil, let closed = o["closed_periods"],
              let closedKey = closed["key"]?.stringValue, let closedLength = closed["length"]?.intValue, closedLength >= 0,
              let closedSha = closed["sha256"]?.stringValue
        else { throw unusable("it does not hold what a status cache holds") }
        var stamps: [String: String] = [:]
        for (file, stamp) in files {
            guard let text = stamp.stringValue else { throw unusable("the stamp of \(file) is not text") }
            stamps[file] = text
        }
        return Note(key: Key(site: site, ledgerLength: Int(length), ledgerSha256: sha, configSha256: config, today: today,
                             program: program, files: stamps, closed: closedKey),
                    settled: StatusReport.Settled(entries: Int(entries), head: head, textBeforeCheckpoint: before,
                                                  textAfterCheckpoint: after, json: members),
                    closed: ClosedPart(length: Int(closedLength), sha256: closedSha))
    }
}

extension StatusCache {
    /// The settled part of `site`'s status from its cache, when the cache describes the site
    /// as it is now: the same ledger bytes, `recon.toml`, day, program and derived files,
    /// under a valid signature of the ledger's own site key. Nil otherwise: the caller
    /// computes the figures. A cache that is there but not signed as it should be is said in
    /// `warn`.
    public static func settled(site: Site, clock: SiteClock, warn: (String) -> Void) -> StatusReport.Settled? {
        // Workbooks owed by a command stopped after its entries (and after it kept these
        // figures): said by the long way, which reads the note (``SiteSession/owedByAnInterruptedCommand``).
        guard DerivedPending(site: site).items().isEmpty else { return nil }
        guard FileIO.exists(path(site)), let initial = LedgerFile.siteInit(of: site), let verifier = try? VerifierKey(text: initial.publicKey),
              let zone = SiteTimeZone(identifier: initial.timezone) else { return nil }
        let cache: StatusCache
        do {
            guard let read = try read(site, verifier: verifier) else { return nil }
            cache = read
        } catch {
            warn("ignored \(error); the figures are computed from the ledger")
            return nil
        }
        guard cache.fits(site, siteName: initial.site, zone: zone, clock: clock),
              FileStamp.of(site.ledgerFile)?.size == Int64(cache.key.ledgerLength),
              (try? HashedFileWindow.sha256(of: site.ledgerFile)) == cache.key.ledgerSha256,
              // A vouched folder swapped for a link (a month's, `Ledger/drops`): the long way refuses it.
              VouchedPlaces.folderDamage(in: site) == nil,
              sealedFilesHold(site, verifier: verifier, siteName: initial.site),
              // A draft, review or summary put back from an older copy is said by the long way.
              !DerivedStamps.anyReplaced(in: site),
              // So is an open month's draft deleted since.
              DerivedStamps.missingDrafts(in: site, open: StatusReport.openPeriods(of: cache.settled)).isEmpty
        else { return nil }
        return cache.settled
    }

    /// Whether every issued document and archived drop the writers' seal holds still has the
    /// stamp it was sealed with (an `lstat` each), and every file in a folder of final documents
    /// is one of them: one changed since, not sealed yet (just issued, touched, copied with the
    /// site) or a stray of any name (a file browser's `INV-… (1).xlsx`) sends `status` the long
    /// way, which checks the documents as a writer does, refuses what a writer would, and seals
    /// what has settled. A seal that cannot be used is the long way's to name.
    static func sealedFilesHold(_ site: Site, verifier: VerifierKey, siteName: String) -> Bool {
        var documents = 0
        for folder in OutboxCheck(site: site).documentFolderPaths() {
            documents += ((try? OutboxCheck.heldNames(in: site.path(folder))) ?? []).count
        }
        guard FileIO.exists(DocumentSeal.path(site)) else { return documents == 0 }
        guard let index = try? DocumentSeal.readIndex(site, verifier: verifier, siteName: siteName) else { return false }
        // The sealed documents all there under their stamps, and as many as the Outbox holds: the same files.
        return index.allStampsHold(under: site.root) && index.count(under: "Outbox/") == documents
    }

    /// Whether the cache was made for `site` as it stands now, its ledger aside: the same
    /// site, program, day (in `zone`), `recon.toml` bytes and derived files.
    func fits(_ site: Site, siteName: String, zone: SiteTimeZone, clock: SiteClock) -> Bool {
        guard let program = Self.program, key.site == siteName, key.program == program, key.today == zone.today(now: clock.now()),
              let config = try? SiteConfigFile.bytes(site), Hex.string(SHA256.hash(data: config)) == key.configSha256
        else { return false }
        return Self.derivedFiles(site) == key.files
    }
}
