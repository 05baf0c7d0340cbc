import Crypto

/// Rebuilds a ``SiteState`` from the ledger and the archived drops it names.
///
/// The ledger is the only truth: master data, cards, FX and usage come back from the
/// archived drops in the order they were accepted; flags, decisions, closes and documents
/// from their entries. Every archived drop read is hashed, and the bytes hashed are the
/// bytes parsed: one changed after it was accepted stops the replay (SPEC §6, writers check
/// before they write). A usage drop whose entry records `cache_sha256` comes back from its
/// cache file once that file hashes to the recorded value (else from the CSV, and the file
/// is named). An older drop's unvouched cache is read only when `cache` is given (drafts);
/// `audit` (verify) instead checks every cache file and writes nothing.
public enum LedgerReplay {
    /// `hashVouchedDrops: false` skips hashing the archived drop behind a checked cache file:
    /// for reading commands (SPEC §6 asks it of writers) and `verify` (which hashes every drop itself).
    ///
    /// `settled: true` leaves the reports of settled periods on disk: a usage drop whose
    /// periods were all closed (or rerun) after it, by an entry recording the period's report
    /// index, is not read; lookups go to the checked index (``ClosedHistory``). A rerun and
    /// `verify` need a settled period's reports, and replay with `settled: false`.
    ///
    /// `rebuilding: false` leaves a missing cache file or index missing: a replay that writes nothing.
    /// `judgingEntriesAfter`: the entries after that seq (no checkpoint covers them) are judged
    /// again by the rules their ingest applies; `recon verify` judges those after the newest
    /// checkpoint, as does every writer or reader that checks (those give it).
    public static func state(site: Site, ledger: LedgerFile, cache: DropCache? = nil, audit: DropCache? = nil,
                             hashVouchedDrops: Bool = true, settled: Bool = false, rebuilding: Bool = true,
                             confirmingCachesAfter: Int? = nil, judgingEntriesAfter: Int? = nil) throws -> Replayed {
        guard let first = ledger.entries.first, case .siteInit(let initial) = try LedgerEvent(entry: first) else {
            throw LedgerDamage(seq: 1, "the first entry is not site.init")
        }
        guard let base = Currency(code: initial.baseCurrency), let zone = SiteTimeZone(identifier: initial.timezone) else {
            throw LedgerDamage(seq: 1, "site.init lacks a valid site, base_currency or timezone")
        }
        var state = SiteState(name: initial.site, base: base, zone: zone, publicKey: initial.publicKey)
        state.reserveDocuments(ledger.entries.lazy.filter { $0.eventKind?.document != nil }.count)
        let parser = DropParser(zone: zone, baseCurrency: base)
        var notes = Notes()
        let vouched = vouchedIndexes(ledger)
        try requireNoIndexOfAnUnheldClose(ledger, site: site)
        var history = ClosedHistory()
        var rebuild: [Period] = []
        if settled {
            for (period, entry) in vouched.sorted(by: { $0.key < $1.key }) {
                let relative = ClosedPeriodIndex.relativePath(period), stamp = FileStamp.of(site.path(relative))
                switch ClosedPeriodIndex.open(period: period, path: site.path(relative), tableSha256: entry.sha256, seq: entry.seq) {
                case .index(let index):
                    history.add(index)
                    if let stamp { notes.indexesFound[relative] = .init(period: period, tableSha256: entry.sha256, seq: entry.seq, stamp: stamp) }
                case .missing: rebuild.append(period)
                case .mismatch:
                    if let earlier = supersededIndex(period, site: site, ledger: ledger) {
                        // Once vouched, then settled again: put back with an older `.recon/`. Read around and rebuilt.
                        notes.warnings.append(supersededLine(period, earlier: earlier, latest: entry.seq, rebuilt: rebuilding))
                        rebuild.append(period)
                        continue
                    }
                    notes.unread(indexMismatch(period, seq: entry.seq, site: site), instead: "the period's drops were")
                case .unreadable(let failure):
                    throw failure  // this user may not read it: no damage, and no "does not match" (exit 1, its owner named)
                }
            }
        }
        // Known before any drop is read: a drop read again from its CSV leaves out the settled
        // reports it repeated, as it did when it was accepted.
        state.history = history
        // A soft finding of an open month compares it with the month before: when that one is
        // settled, its breakdown comes from its index — read, hashed and decoded on another
        // core while the entries are applied (after a year, 1.7 MB).
        let breakdowns = history.indexes.filter { vouched[$0.key.next] == nil }.map { period, index in
            (period, BackgroundWork { Result { try index.breakdown() } })
        }
        let expected = expectedReports(ledger, settled: history)
        // The entries no checkpoint covers are judged again by the rules their ingest applies,
        // by `recon verify` and by every writer (which gives the newest checkpoint's count).
        let rulesAfter = audit != nil ? Checkpointer(site: site).newestCount : judgingEntriesAfter
        let siteKey = try? VerifierKey(text: initial.publicKey)
        for e in ledger.entries.dropFirst() {
            try apply(e, to: &state, notes: &notes, site: site, parser: parser, cache: cache, audit: audit,
                      hashVouchedDrops: hashVouchedDrops, settled: history, vouched: vouched, rebuilding: rebuilding,
                      expectedReports: expected, confirmingCachesAfter: confirmingCachesAfter, siteKey: siteKey, rulesAfter: rulesAfter)
            if let replaced = notes.cardsReplaced {
                notes.cardsReplaced = nil
                try checkCardsReplaced(replaced.entries, after: replaced.seq, in: ledger.entries)
            }
        }
        for (period, breakdown) in breakdowns.sorted(by: { $0.0 < $1.0 }) {
            state.settledBreakdowns[period] = try breakdown.wait().get()
        }
        if audit == nil && rebuilding {
            // A missing index comes back byte for byte from the reports just read, or not at all.
            for period in rebuild { rebuildIndex(period, expected: vouched[period]!.sha256, from: state, site: site) }
        }
        return Replayed(state: state, notes: notes)
    }

    /// How many reports the replay will hold, and room for a command's own drop besides: the
    /// rows of the usage drops it reads (those not wholly settled), an eighth more (at most a
    /// million).
    static func expectedReports(_ ledger: LedgerFile, settled: ClosedHistory) -> Int {
        var rows = 0
        for e in ledger.entries where e.kind == "drop.accepted" && e.body["kind"]?.stringValue == "usage" {
            guard case .dropAccepted(let drop)? = try? LedgerEvent(entry: e), !isSettled(drop, seq: e.seq, settled) else { continue }
            rows += Int(clamping: drop.rows)
        }
        return rows + min(rows / 8, 1 << 20)
    }

    /// A closed month's index is put in place only after its `period.closed` is durable: one
    /// for a month the ledger holds no close of is what a ledger cut back past that close leaves
    /// (its documents issued, and the next close would issue their numbers again) — with an
    /// older ledger prefix put back, both verifiers said ok and the close did so. Damage.
    static func requireNoIndexOfAnUnheldClose(_ ledger: LedgerFile, site: Site) throws {
        let names = FileIO.listOwnFolder(site.path(".recon/closed")).filter { $0.hasSuffix(".idx") }
        guard !names.isEmpty else { return }
        let closed = Set(ledger.entries.lazy.filter { $0.eventKind == .periodClosed }.compactMap { $0.string("period") })
        for name in names {
            guard let period = Period(String(name.dropLast(4))), !closed.contains(period.description) else { continue }
            throw LedgerDamage(seq: nil, ".recon/closed/\(name) is the index of a close of \(period) that the ledger does not hold: "
                + "a ledger cut back past that close leaves it (its documents issued, their numbers issued again by the next close) — "
                + "compare the ledger with an auditor's kept checkpoint; only if \(period) was never closed on this site, delete the file")
        }
    }

    /// Whether every period the drop's rows fall in was settled after it (seq `seq`): its rows
    /// are then in those periods' indexes, and the replay does not read it.
    static func isSettled(_ drop: LedgerEvent.DropAccepted, seq: Int, _ settled: ClosedHistory) -> Bool {
        isSettled(drop, seq: seq, lastSettled: settled.indexes.values.map(\.seq).max()) { settled.indexes[$0]?.seq }
    }

    /// The one rule for which usage drops the replay leaves unread, over any account of the
    /// settled periods (`settledSeq`: the seq of the entry that settled a period, if one did;
    /// `lastSettled`: the latest such entry's): every period the drop added rows to was settled
    /// after it. A drop that added none (its reports all repeated) is left unread once a period
    /// is settled after it — its entry then lies before that close's signed checkpoint: an
    /// entry no checkpoint covers, its `periods` emptied by hand, would hide a month's reports
    /// from every command (the month taken for none open, and closed with nothing issued).
    /// ``WriterChecks`` checks through the seal exactly the drops this leaves unread.
    static func isSettled(_ drop: LedgerEvent.DropAccepted, seq: Int, lastSettled: Int?, settledSeq: (Period) -> Int?) -> Bool {
        guard let periods = drop.periods, let lastSettled, lastSettled > seq else { return false }
        return periods.allSatisfy { settledSeq($0).map { $0 > seq } ?? false }
    }

    /// A usage drop's rows just added from position `base` fall only in the periods its entry
    /// records: one that left a month out would have the drop skipped once the others are
    /// settled, its rows in the month left out — and one forged with a closed month left out
    /// had a rerun bill a report no ingest took. A drop cached by a build whose two-core parse
    /// could put rows an hour off (`raceSuspect`) recorded the periods of those rows.
    static func checkPeriods(_ drop: LedgerEvent.DropAccepted, seq: Int, state: SiteState, from base: Int, raceSuspect: Bool) throws {
        guard let claimed = drop.periods, !raceSuspect else { return }  // entries of the first builds record none
        let left = state.periods(addedFrom: base).subtracting(claimed).sorted()
        guard !left.isEmpty else { return }
        throw LedgerDamage(seq: seq, "drop.accepted records its rows' periods as "
            + (claimed.isEmpty ? "none" : claimed.map(\.description).joined(separator: ", "))
            + ", but rows of its drop \(drop.path) fall in \(left.map(\.description).joined(separator: ", ")); recon writes no such "
            + "entry — a command skipping the drop by it would leave those reports out")
    }

    /// Per closed period, the latest entry settling it with a report index: its seq and the
    /// index table's SHA-256. A later settling entry without one (an older rerun) voids it.
    static func vouchedIndexes(_ ledger: LedgerFile) -> [Period: (seq: Int, sha256: String)] {
        var out: [Period: (seq: Int, sha256: String)] = [:]
        for e in ledger.entries where e.kind == "period.closed" || e.kind == "rerun" {
            guard let period = e.body["period"]?.stringValue.flatMap(Period.init) else { continue }
            out[period] = e.body["report_index_sha256"]?.stringValue.map { (e.seq, $0) }
        }
        return out
    }

    /// The seq of an earlier entry settling `period` (its close, a rerun before the latest) whose
    /// index the file on disk is: a `.recon/` put back from a backup taken before a rerun. Such a
    /// file is no one's tampering: it is read around and rebuilt, where every writer refused it
    /// (exit 4, "find out who changed it") until someone deleted it. Nil when it is none of them.
    static func supersededIndex(_ period: Period, site: Site, ledger: LedgerFile) -> Int? {
        let settling = ledger.entries.filter { ($0.kind == "period.closed" || $0.kind == "rerun") && $0.body["period"]?.stringValue == period.description }
        let earlier = settling.dropLast().compactMap { e in e.body["report_index_sha256"]?.stringValue.map { (seq: e.seq, sha256: $0) } }
        return indexFile(site.path(ClosedPeriodIndex.relativePath(period)), of: period, isOneOf: earlier)
    }

    /// The seq among `recorded` (in ledger order) whose index the file at `path` is, the latest first.
    static func indexFile(_ path: String, of period: Period, isOneOf recorded: [(seq: Int, sha256: String)]) -> Int? {
        recorded.reversed().first { e in
            guard case .index = ClosedPeriodIndex.open(period: period, path: path, tableSha256: e.sha256, seq: e.seq) else { return false }
            return true
        }?.seq
    }

    /// What is said of a superseded index (``supersededIndex(_:site:ledger:)``).
    static func supersededLine(_ period: Period, earlier: Int, latest: Int, rebuilt: Bool) -> String {
        "the closed-period index \(ClosedPeriodIndex.relativePath(period)) is the one seq \(earlier) vouched for, before seq \(latest) "
            + "settled \(period) again (a `.recon/` put back from an older backup): it was not read, and "
            + (rebuilt ? "it is rebuilt from the archived drops" : "the next writing command rebuilds it from the archived drops")
    }

    /// Writes a settled period's missing index when the reports held give the bytes the
    /// ledger vouched for, synced before it is renamed into place (a torn bucket would stop writers).
    static func rebuildIndex(_ period: Period, expected: String, from state: SiteState, site: Site) {
        let path = site.path(ClosedPeriodIndex.relativePath(period))
        let temp = FileIO.temporaryName(for: path)
        try? FileIO.makeDirectory(FileIO.parent(of: path))
        // Nothing else runs while a missing index is rebuilt: both cores encode it.
        guard let sha = try? ClosedPeriodIndex.write(period: period, all: state.reports, positions: state.periodReports[period] ?? [],
                                                  excluded: state.excludedReports(in: period), parallel: true, to: temp),
              sha == expected,
              (try? FileIO.syncFile(temp)) != nil, (try? FileIO.renameQuietly(temp, to: path)) != nil else {
            FileIO.remove(temp)
            return
        }
    }

    /// A state rebuilt from the ledger, and what rebuilding it noticed.
    public struct Replayed {
        public var state: SiteState
        public var notes: Notes
    }

    /// What a replay noticed on its way.
    public struct Notes {
        /// Whether usage rows came from a cache file the ledger does not vouch for (one written
        /// for a drop accepted before caches were recorded): such a state prices drafts only.
        public internal(set) var readUnvouchedCache = false
        /// What it worked around (a cache file that fails its check), for the log.
        public internal(set) var warnings: [String] = []
        /// The cache files and indexes it did not read, as they are not the ones the ledger
        /// vouches for: `recon verify` names each (exit 4), so no writer appends over them.
        public internal(set) var damagedCaches: [String] = []
        /// The months holding rows of a drop whose recorded cache an earlier build made with the
        /// two-core fault (``raceCacheNote(_:seq:)``): a close of such a month recorded the index
        /// of those rows, not of the drop's own.
        var faultyCachePeriods: Set<Period> = []
        /// The `card.replaced` entries a card drop no checkpoint covers must be followed by (its
        /// seq): the replay looks at the entries after it.
        var cardsReplaced: (seq: Int, entries: [(kind: String, body: [String: JSONValue])])?
        /// The stamp of each archived drop it hashed, by path, taken before its bytes were read
        /// and found the same after: what a signing command's last look compares with
        /// (``CheckedFiles``). Stamped after, a drop changed in between passed that look.
        public internal(set) var archiveStamps: [String: FileStamp] = [:]
        /// The same for each vouched cache file it read, by path, with the SHA-256 its entry records.
        public internal(set) var cacheStamps: [String: (stamp: FileStamp, sha256: String)] = [:]
        /// The same for each closed-period index it opened, by path: swapped for another month's
        /// while a close ran, it was signed over, and the next `recon verify` refused the site.
        var indexesFound: [String: ClosedPeriodIndex.Found] = [:]
        /// The report index each settling entry recorded, by period in ledger order (`recon verify`).
        var indexesRecorded: [Period: [(seq: Int, sha256: String)]] = [:]

        /// A cache file or index not read (`what`), computed from checked bytes (`instead`).
        mutating func unread(_ what: String, instead: String) {
            damagedCaches.append(what)
            warnings.append("\(what); it was not read (\(instead)) — `recon verify` names it; delete it to have it rebuilt")
        }
    }

    /// The closed-period index of `period` when its file is not the one its entry (`seq`) vouches for.
    static func indexMismatch(_ period: Period, seq: Int, site: Site) -> String {
        let relative = ClosedPeriodIndex.relativePath(period)
        return "the closed-period index \(relative) \(notMatching(site.path(relative), recorded: "the report_index_sha256 of seq \(seq)"))"
    }

    /// Every closed-period index on disk that is not the one the ledger vouches for: what a
    /// writer that reads no index (a rerun reads every report) still refuses over.
    /// With each index found as vouched, as ``Notes/indexesFound`` has them.
    static func indexDamage(_ ledger: LedgerFile, site: Site) throws -> (damage: [String], found: [String: ClosedPeriodIndex.Found]) {
        var damage: [String] = [], found: [String: ClosedPeriodIndex.Found] = [:]
        for (period, entry) in vouchedIndexes(ledger).sorted(by: { $0.key < $1.key }) {
            let relative = ClosedPeriodIndex.relativePath(period), path = site.path(relative), stamp = FileStamp.of(path)
            switch ClosedPeriodIndex.open(period: period, path: path, tableSha256: entry.sha256, seq: entry.seq) {
            case .mismatch where supersededIndex(period, site: site, ledger: ledger) != nil:
                break  // an older `.recon/`'s: not read, and rebuilt by the next command that reads settled months
            case .mismatch: damage.append(indexMismatch(period, seq: entry.seq, site: site))
            case .unreadable(let failure): throw failure
            case .index: if let stamp { found[relative] = .init(period: period, tableSha256: entry.sha256, seq: entry.seq, stamp: stamp) }
            case .missing: break
            }
        }
        return (damage, found)
    }

    /// Applies entries a command has just appended (their drops are already in the state).
    static func apply(appended entries: [LedgerEntry], to state: inout SiteState, site: Site) throws {
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        var notes = Notes()  // appended entries name drops already applied: nothing to notice
        for e in entries { try apply(e, to: &state, notes: &notes, site: site, parser: parser, cache: nil) }
    }

    /// The rows of a re-read usage drop that were new when it was accepted: those whose report
    /// no earlier drop holds, each from the first row naming it (a drop repeats a report_id
    /// only with the same values; the later rows were skipped). Found in one pass over the
    /// held reports, without building the id index, so a close of a million reports stays fast.
    /// `judged`: the seq of an entry no checkpoint covers, judged by its ingest's rule that a
    /// report repeated (before, or in the drop) has the same values: one appended by hand with
    /// other values verified, and a close billed the first and signed over both.
    static func fresh(_ list: [Report], in state: SiteState, judged: Int? = nil) throws -> [Report] {
        var ids = IdTable<Void>(minimumCapacity: list.count)
        for r in list { ids.insert(r.id, ()) }
        guard ids.count == list.count else {
            let held = try state.existing(ids)
            var seen: [String: Report] = held
            var out: [Report] = []
            for r in list {
                if let first = seen[r.id] {
                    if let judged { try requireSame(first, r, seq: judged) }
                    continue
                }
                seen[r.id] = r
                out.append(r)
            }
            return out
        }
        guard !state.holdsNoReports else { return list }
        let held = try state.existing(ids)
        if held.isEmpty { return list }
        if let judged { for r in list { if let old = held[r.id] { try requireSame(old, r, seq: judged) } } }
        return list.filter { held[$0.id] == nil }
    }

    /// A report repeated with other values is no row of an accepted drop.
    private static func requireSame(_ first: Report, _ again: Report, seq: Int) throws {
        guard !first.sameValues(as: again) else { return }
        throw LedgerDamage(seq: seq, "report \(again.id) is held with other values (\(DropValidator.difference(first, again))), which "
            + "its ingest rejects (a report_id is unique forever); recon writes no such entry — nothing is computed from it")
    }

    static func apply(_ e: LedgerEntry, to state: inout SiteState, notes: inout Notes, site: Site, parser: DropParser, cache: DropCache?,
                      audit: DropCache? = nil, hashVouchedDrops: Bool = true, settled: ClosedHistory = ClosedHistory(),
                      vouched: [Period: (seq: Int, sha256: String)] = [:], rebuilding: Bool = true,
                      expectedReports: Int = 0, confirmingCachesAfter: Int? = nil, siteKey: VerifierKey? = nil,
                      rulesAfter: Int? = nil) throws {
        if audit == nil, e.eventKind?.document != nil {
            state.apply(issued: try IssuedDocument(entry: e))  // its lines are not needed here
            return
        }
        let event = try LedgerEvent(entry: e)
        guard case .dropAccepted(let drop) = event else {
            if audit != nil { try auditIndex(event, seq: e.seq, state: state, site: site, latest: vouched, notes: &notes) }
            if let rulesAfter, e.seq > rulesAfter, case .flagDecided(let d) = event { try checkReportDecision(d, seq: e.seq, state: state) }
            state.apply(event, seq: e.seq, at: e.at)
            return
        }
        let sha = drop.sha256, kind = drop.kind, base = state.reports.count
        state.accepted(drop: sha, seq: e.seq)
        state.accepted(drop)
        if kind == .decisions { return }
        if isSettled(drop, seq: e.seq, settled) { return }
        let siteCache = DropCache(dir: site.cache)
        var cacheIsMissing = false
        var archived: BackgroundWork<Result<FileStamp?, Error>>?
        // What a close, rerun or credit issues never comes from a cache file its checkpoints do
        // not cover (`confirmingCachesAfter`: the newest checkpoint's count, which the writer
        // checks verify) unless the site key signed it (``CacheSignature``): the entry that
        // records its SHA-256 is as unsigned as the file, and a cache rewritten together with it
        // billed reports no archived drop holds. Such a drop is parsed, and the cache it gives
        // must be the one recorded. `recon verify` parses them all.
        // A large drop across a clock change, cached by a build whose two-core parse could put
        // rows an hour off: its rows always come from the CSV (``isRaceSuspect``).
        let raceSuspect = kind == .usage && drop.cacheSha256 != nil && isRaceSuspect(drop, zone: state.zone, site: site)
        let confirming = audit != nil || raceSuspect
            || (confirmingCachesAfter.map { e.seq > $0 } == true && !CacheSignature.holds(drop, siteKey: siteKey))
        // No checkpoint covers it: judged by the rules its ingest applies (writers, checked readers).
        let uncovered = rulesAfter.map { e.seq > $0 } ?? false
        // Judged by every writer too where no checkpoint covers it: a signature recon did not
        // make is no entry recon writes.
        if audit != nil || uncovered, drop.cacheSignature != nil, !CacheSignature.holds(drop, siteKey: siteKey) {
            throw LedgerDamage(seq: e.seq, "drop.accepted's cache_signature is not the site key's over its drop and cache; "
                + "recon writes no such entry")
        }
        if kind == .usage, let vouched = drop.cacheSha256, !confirming {
            // The ledger vouches for this cache file: read it once its bytes are checked. The
            // drop it was made from must still be the one accepted (nothing is written over a
            // site that does not verify): a writer hashes it on the second core meanwhile.
            // Without a cache file to read, the drop is read, hashed and parsed below, once.
            archived = hashVouchedDrops && siteCache.hasFile(sha256: sha, format: drop.cacheFormat)
                ? BackgroundWork { Result { try checkArchivedHash(sha, seq: e.seq, site: site) } } : nil
            // A later drop's rows are decoded onto the end of the storage the first one's became.
            let cacheBefore = FileStamp.of(siteCache.path(sha))
            var loaded = DropCache.Vouched.missing
            let inPlace = state.addNew { held in
                loaded = siteCache.appendVouched(sha256: sha, format: drop.cacheFormat, cacheSha256: vouched, to: &held)
                if case .appended = loaded { return true }
                return false
            }
            if inPlace == nil {
                loaded = siteCache.loadVouched(sha256: sha, format: drop.cacheFormat, cacheSha256: vouched,
                                               capacity: state.reports.isEmpty ? expectedReports : 0)
            }
            if let before = cacheBefore, FileStamp.of(siteCache.path(sha)) == before {
                switch loaded {
                case .appended, .rows: notes.cacheStamps[siteCache.relativePath(sha)] = (before, vouched)
                default: break
                }
            }
            switch loaded {
            case .appended:
                if let stamp = try archived?.wait().get() { notes.archiveStamps[Site.dropPath(sha256: sha)] = stamp }
                try checkPeriods(drop, seq: e.seq, state: state, from: base, raceSuspect: raceSuspect)
                if uncovered { try checkRowCount(drop, seq: e.seq, cached: state.reports.count - base, site: site, parser: parser) }
                return
            case .rows(let cached):
                if let stamp = try archived?.wait().get() { notes.archiveStamps[Site.dropPath(sha256: sha)] = stamp }
                Stages.time("state") { state.add(cached, dedupe: false) }
                try checkPeriods(drop, seq: e.seq, state: state, from: base, raceSuspect: raceSuspect)
                if uncovered { try checkRowCount(drop, seq: e.seq, cached: cached.count, site: site, parser: parser) }
                return
            case .mismatch:
                // Never read, and left as it is for `recon verify` to name (verify never reads a
                // cache: it confirms each against its drop, below): the archived drop is parsed
                // instead, checked against its own SHA-256.
                notes.unread(cacheMismatch(siteCache, sha: sha, seq: e.seq, site: site), instead: "the archived drop was")
            case .missing:
                cacheIsMissing = true
            }
        } else if kind == .usage, drop.cacheSha256 != nil {
            // Confirmed against the drop below; a missing file is written from it.
            cacheIsMissing = FileStatus.of(siteCache.path(sha)) == nil
        } else if kind == .usage, let cached = Stages.time("replay-cache", { cache?.load(sha256: sha) }) {
            state.add(cached, dedupe: false)  // a drop accepted before caches were vouched: drafts only
            notes.readUnvouchedCache = true
            return
        }
        _ = try archived?.wait().get()
        // The rows come from the archived drop: the bytes parsed are the bytes hashed.
        let (bytes, stamp) = try checkArchived(sha, seq: e.seq, site: site)
        if let stamp { notes.archiveStamps[Site.dropPath(sha256: sha)] = stamp }
        let outcome = Stages.time(kind == .usage ? "replay-parse-usage" : "replay-parse") {
            bytes.withUnsafeBytes { parser.parse($0, kind: kind) }
        }
        guard let rows = outcome.rows else {
            throw LedgerDamage(seq: e.seq, "archived drop \(sha) no longer reads: \(outcome.problems.reportLines.first ?? "")")
        }
        // The entry says how many rows its drop holds, as the drop reads: checked wherever the
        // drop is read (every master-data drop, and a usage drop a close, rerun, credit or
        // verify parses), so no writer signs over an entry that lies about it.
        if e.body["rows"] != nil, drop.rows != Int64(rows.rowCount) {
            throw LedgerDamage(seq: e.seq, "drop.accepted records \(drop.rows) rows, but its archived drop "
                + "\(Site.dropPath(sha256: sha)) holds \(rows.rowCount); recon writes no such entry")
        }
        if kind == .usage, case .usage(let list) = rows {
            let before = state.reports.count
            state.add(try fresh(list, in: state, judged: uncovered ? e.seq : nil), dedupe: false)
            try checkPeriods(drop, seq: e.seq, state: state, from: before, raceSuspect: raceSuspect)
            let added = Array(state.reports[before...])
            if let vouched = drop.cacheSha256, let layout = DropCacheLayout(rawValue: drop.cacheFormat ?? "") {
                let encoded = Stages.time("replay-confirm") { DropCache.encode(sha256: sha, added, layout: layout) }
                if Hex.string(SHA256.hash(data: encoded)) == vouched {
                    if audit == nil && cacheIsMissing && rebuilding { siteCache.write(sha256: sha, encoded) }  // verify writes nothing
                    if !cacheIsMissing, let damage = try cacheFileDamage(siteCache, sha: sha, encoded: encoded, seq: e.seq) {
                        // Verify names it; a writer, which computed from the drop, says so and leaves it as evidence.
                        if audit != nil { throw damage }
                        notes.unread(cacheMismatch(siteCache, sha: sha, seq: e.seq, site: site), instead: "the archived drop was")
                    }
                } else if raceSuspect && drop.periods?.contains(where: { settled.indexes[$0] != nil }) == true {
                    // Part of it is settled: read again, its rows of a closed month are left out
                    // (the month's index holds them), so the cache of all of them, recorded at
                    // ingest, cannot be compared; the rows taken are the CSV's all the same.
                } else if raceSuspect && CacheSignature.holds(drop, siteKey: siteKey) {
                    // The site key signed that cache: recon made it, with the fault. The rows
                    // are the CSV's, just read; the record stays, and is said each time.
                    notes.warnings.append(raceCacheNote(drop, seq: e.seq))
                    notes.faultyCachePeriods.formUnion(drop.periods ?? [])
                } else if confirming {
                    throw LedgerDamage(seq: e.seq, "archived drop \(Site.dropPath(sha256: sha)) gives other rows than the cache_sha256 "
                        + "its drop.accepted records (\(vouched)): the entry does not describe the drop it names — "
                        + "recon writes no such entry; nothing is computed from it")
                }
                return
            }
            if let audit, let cached = audit.load(sha256: sha), cached != added {
                throw LedgerDamage(seq: e.seq, "the cache file \(audit.relativePath(sha)) does not match the archived drop "
                    + "\(Site.dropPath(sha256: sha)) it was made from; delete .recon/cache (it is rebuilt) and find out who changed it")
            }
            if rebuilding { cache?.store(sha256: sha, added) }
            return
        }
        if uncovered, kind != .payments {
            // Master data or a card its ingest would reject, appended by hand: a row it could not
            // read (a blank name) left out unread, two rows of one client, currency and date, or
            // of one card key, or tiers that overlap — a close billed from them (no tax, another
            // rate, both overlapping rows) and signed over them. And a card that replaced a card
            // with no `card.replaced` after it: the ledger held no trace of the replacement.
            if let problem = outcome.problems.reportLines.first {
                throw LedgerDamage(seq: e.seq, "the \(kind.rawValue) drop \(drop.path) (\(SafeText.escaped(drop.name))) holds a row its "
                    + "ingest would reject: \(problem); recon writes no such entry — nothing is computed from it")
            }
            if case .reject(let problems) = try DropValidator(state: state).check(rows) {
                throw LedgerDamage(seq: e.seq, "the \(kind.rawValue) drop \(drop.path) (\(SafeText.escaped(drop.name))) breaks the rules "
                    + "its ingest applies: \(problems.reportLines.first ?? "")\(problems.total > 1 ? " (and \(problems.total - 1) more)" : ""); "
                    + "recon writes no such entry — nothing is computed from it")
            }
            if kind == .clientRates || kind == .providerRates {
                notes.cardsReplaced = (e.seq, Ingestor.cardReplacements(rows, sha: sha, state: state))
            }
        }
        if uncovered, case .payments = rows {
            // A row its ingest would reject (a negative amount) is no row of an accepted drop:
            // left out as unread, the drop's other rows counted — and both verifiers said ok.
            if let problem = outcome.problems.reportLines.first {
                throw LedgerDamage(seq: e.seq, "the payments drop \(drop.path) (\(SafeText.escaped(drop.name))) holds a row its ingest "
                    + "would reject: \(problem); recon writes no such entry — nothing is computed from it")
            }
            try checkPayments(rows, drop: drop, seq: e.seq, state: state)
        }
        state.apply(rows)
    }

    /// A card drop (seq `seq`) that replaced cards is followed, in its own append, by the
    /// `card.replaced` entry of each (`expected`, as its ingest writes them).
    static func checkCardsReplaced(_ expected: [(kind: String, body: [String: JSONValue])], after seq: Int,
                                   in entries: [LedgerEntry]) throws {
        for (i, item) in expected.enumerated() {
            let at = seq + i  // the index of entry seq + i + 1
            guard at < entries.count, entries[at].kind == item.kind, entries[at].body == item.body else {
                throw LedgerDamage(seq: seq, "the card drop replaces the card of \(item.body["effective_from"]?.stringValue ?? ""), "
                    + "but no card.replaced entry follows it as its ingest writes one; recon writes no such entry")
            }
        }
        // And no other: one saying a card was replaced when the drop replaced none is a false trail.
        let next = seq + expected.count
        if next < entries.count, entries[next].kind == "card.replaced" {
            throw LedgerDamage(seq: next + 1, "card.replaced of \(entries[next].string("effective_from") ?? "(no date)") follows a card "
                + "drop that replaced no card of that kind and date; recon writes no such entry")
        }
    }

    /// The `rows` of a usage entry no checkpoint covers, read from its vouched cache (which holds
    /// the reports the drop added): it was never counted again, and an entry whose count was
    /// edited was signed over by a close while `recon verify` refused it. Fewer rows than the
    /// reports its cache adds is never what an ingest records; more is a drop that repeated
    /// reports taken before, counted from the archived drop itself (rare: only then is it read).
    static func checkRowCount(_ drop: LedgerEvent.DropAccepted, seq: Int, cached: Int, site: Site, parser: DropParser) throws {
        guard drop.rows != Int64(cached) else { return }
        var held = cached
        if drop.rows > Int64(cached) {
            let bytes = try checkArchived(drop.sha256, seq: seq, site: site).bytes
            let rows = bytes.withUnsafeBytes { parser.parse($0, kind: .usage) }.rows
            held = rows?.rowCount ?? 0
            if Int64(held) == drop.rows { return }
        }
        throw LedgerDamage(seq: seq, "drop.accepted records \(drop.rows) rows, but its archived drop \(Site.dropPath(sha256: drop.sha256)) "
            + "holds \(held); recon writes no such entry")
    }

    /// A payments drop of an entry no checkpoint covers yet, judged by the rules its ingest
    /// applies (SPEC §2, §5) against the site as it stood: one appended by hand — a payment in
    /// another currency, on another client's invoice, from a client no drop named, a
    /// payment_id recorded before, a fraction of a minor unit — moved balances and statements,
    /// and both verifiers said ok. (Entries a checkpoint covers were judged when taken, under
    /// the rules of the recon that took them.)
    static func checkPayments(_ rows: ParsedDrop, drop: LedgerEvent.DropAccepted, seq: Int, state: SiteState) throws {
        guard case .reject(let problems) = try DropValidator(state: state).check(rows) else { return }
        throw LedgerDamage(seq: seq, "the payments drop \(drop.path) (\(SafeText.escaped(drop.name))) breaks the rules its ingest "
            + "applies: \(problems.reportLines.first ?? "")\(problems.total > 1 ? " (and \(problems.total - 1) more)" : ""); recon "
            + "writes no such entry — nothing is computed from it")
    }

    /// A decision about a report (its `report_id`), in an entry no checkpoint covers yet: the
    /// report is one the site holds, and the decision's period is the report's. One appended by
    /// hand for a report not taken yet had it arrive excluded, unbilled without a word; one
    /// labelled with another month than its report's excluded nothing and decided its flag.
    ///
    /// A soft flag's decision (about no report) is of a month the site holds reports of, as any
    /// finding is: one stamped by hand with a month not begun, or with none, verified, was
    /// counted as a decision, and the close of the flag's month refused for good.
    static func checkReportDecision(_ d: LedgerEvent.FlagDecided, seq: Int, state: SiteState) throws {
        guard let id = d.reportId else {
            guard let flag = d.id, EntryRules.isSoftFlagId(flag) else { return }
            guard let period = d.period, !(state.periodReports[period] ?? []).isEmpty || state.closedPeriods[period] != nil else {
                throw LedgerDamage(seq: seq, "flag.decided \(flag) decides a soft flag of \(d.period?.description ?? "no period"), a month "
                    + "the site holds no report of: a finding is of a month with reports; recon writes no such entry")
            }
            return
        }
        guard let report = try state.report(id) else {
            throw LedgerDamage(seq: seq, "flag.decided \(d.id ?? id) decides report \(id), which no drop accepted before it holds; "
                + "recon writes no such entry")
        }
        guard d.period == report.period else {
            throw LedgerDamage(seq: seq, "flag.decided \(d.id ?? id) records the period \(d.period?.description ?? "(none)"), but its "
                + "report \(id) is of \(report.period); recon writes no such entry")
        }
    }

    /// Whether `drop`'s cache may hold the fault of builds before round 38: a usage drop of
    /// ``DropParser/halvesThreshold`` or more was parsed in halves on two cores that shared the
    /// zone's offset memo, and across a clock change some rows came out an hour off. Only such a
    /// drop, in a zone whose offset changes within a day of the periods it touches, is one.
    static func isRaceSuspect(_ drop: LedgerEvent.DropAccepted, zone: SiteTimeZone, site: Site) -> Bool {
        guard !zone.isUTC, let periods = drop.periods, let first = periods.min(), let last = periods.max(),
              let size = FileStatus.of(site.path(drop.path))?.size, size >= DropParser.halvesThreshold else { return false }
        let start = Int64(first.firstDay.dayNumber - 1) * 86_400, end = Int64(last.lastDay.dayNumber + 2) * 86_400
        // A day apart: every command asks this of every large open drop, and no zone's offset
        // changes and changes back within a day (an hour apart asked ICU some 1,500 times a drop).
        let offset = zone.offset(atUTCSecond: start)
        return stride(from: start, through: end, by: 86_400).contains { zone.offset(atUTCSecond: $0) != offset }
    }

    /// What is said of a cache recorded with that fault: its rows are the CSV's, always read.
    static func raceCacheNote(_ drop: LedgerEvent.DropAccepted, seq: Int) -> String {
        "seq \(seq): the cache recorded for \(drop.path) (\(drop.name)) was made by an earlier recon whose two-core parse of a "
            + "large drop could put rows an hour off across a clock change; it gives other rows than the archived drop, so the "
            + "drop's own rows are used by every command (each reads it, which costs its parse) — check what was issued from it "
            + "before this release against the drop"
    }

    /// `recon verify`: a usage drop's cache file, when there, is the cache its entry records
    /// (`encoded`, made again from the archived drop); a file in its place or other bytes is named.
    static func cacheFileDamage(_ cache: DropCache, sha: String, encoded: [UInt8], seq: Int) throws -> LedgerDamage? {
        let relative = cache.relativePath(sha), path = cache.path(sha)
        guard FileStatus.of(path) != nil else { return nil }
        if DropFile.nonRegularKind(path) == nil {
            do {
                if try FileIO.read(path, followingLinks: false) == encoded { return nil }
            } catch let failure as FileIO.Failure where failure.isPermission {
                throw failure  // this user may not read it: no damage, and not "does not match" (exit 1, its owner named)
            } catch {}
        }
        return LedgerDamage(seq: seq, "the cache file \(relative) \(notMatching(path, recorded: "the cache_sha256 its drop.accepted records")); "
            + "delete it (it is rebuilt from the archived drop) and find out who changed it")
    }

    /// A cache file that is not the one its entry (`seq`) records: a command computes from the
    /// archived drop instead, and leaves the file as evidence.
    static func cacheMismatch(_ cache: DropCache, sha: String, seq: Int, site: Site) -> String {
        let relative = cache.relativePath(sha)
        return "the cache file \(relative) \(notMatching(site.path(relative), recorded: "the cache_sha256 of seq \(seq)"))"
    }

    /// How a cache file or index that was not read is named: a FIFO, folder or link in its
    /// place is not a file whose bytes could have matched, and is called what it is.
    static func notMatching(_ path: String, recorded: String) -> String {
        if let kind = DropFile.nonRegularKind(path) { return "is \(kind), not a regular file: not the file \(recorded)" }
        return "does not match \(recorded)"
    }

    /// The archived drop's bytes, checked against the SHA-256 its entry recorded, and its stamp
    /// (``Notes/archiveStamps``; nil when it changed while it was read).
    static func checkArchived(_ sha: String, seq: Int, site: Site) throws -> (bytes: [UInt8], stamp: FileStamp?) {
        let path = site.path(Site.dropPath(sha256: sha))
        guard FileIO.exists(path) else { throw archivedDamage(sha, seq: seq, missing: true) }
        let before = FileStamp.of(path)
        let bytes = try LedgerDamage.reading("archived drop", Site.dropPath(sha256: sha), seq: seq, in: site) {
            try Stages.time("replay-read") { try FileIO.read(path) }
        }
        guard Stages.time("replay-hash", { Hex.string(SHA256.hash(data: bytes)) }) == sha else {
            throw archivedDamage(sha, seq: seq, missing: false)
        }
        return (bytes, before != nil && FileStamp.of(path) == before ? before : nil)
    }

    /// ``checkArchived(_:seq:site:)`` without keeping the bytes: the file is hashed a window at a time.
    static func checkArchivedHash(_ sha: String, seq: Int, site: Site) throws -> FileStamp? {
        let path = site.path(Site.dropPath(sha256: sha))
        guard FileIO.exists(path) else { throw archivedDamage(sha, seq: seq, missing: true) }
        let before = FileStamp.of(path)
        let actual = try LedgerDamage.reading("archived drop", Site.dropPath(sha256: sha), seq: seq, in: site) {
            try Stages.time("replay-hash") { try HashedFileWindow.sha256(of: path) }
        }
        guard actual == sha else {
            throw archivedDamage(sha, seq: seq, missing: false)
        }
        return before != nil && FileStamp.of(path) == before ? before : nil
    }

    private static func archivedDamage(_ sha: String, seq: Int, missing: Bool) -> LedgerDamage {
        missing ? LedgerDamage(seq: seq, "archived drop \(Site.dropPath(sha256: sha)) is missing")
            : LedgerDamage(seq: seq, "archived drop \(Site.dropPath(sha256: sha)) does not match its recorded SHA-256; "
                + "nothing is computed from it")
    }

    /// `recon verify`: an entry settling a period with a report index must record the index of
    /// the reports the ledger holds for it at that point, and the period's index file, when
    /// present, must be that index byte for byte (checked against its latest settling entry).
    static func auditIndex(_ event: LedgerEvent, seq: Int, state: SiteState, site: Site,
                           latest: [Period: (seq: Int, sha256: String)], notes: inout Notes) throws {
        let period: Period, recorded: String?
        switch event {
        case .periodClosed(let p): (period, recorded) = (p.period, p.reportIndexSha256)
        case .rerun(let p): (period, recorded) = (p.period, p.reportIndexSha256)
        default: return
        }
        guard let recorded else { return }
        defer { notes.indexesRecorded[period, default: []].append((seq, recorded)) }
        let relative = ClosedPeriodIndex.relativePath(period), path = site.path(relative)
        let file = latest[period]?.seq == seq && FileIO.exists(path) ? path : nil
        if file != nil, let kind = DropFile.nonRegularKind(path) {
            throw LedgerDamage(seq: seq, "the closed-period index \(relative) is \(kind), not a regular file; delete it (it is rebuilt "
                + "from the archived drops) and find out who put it there")
        }
        let (sha, fileMatches): (String, Bool?)
        do {
            (sha, fileMatches) = try Stages.time("verify-index") {
                try ClosedPeriodIndex.compare(period: period, all: state.reports, positions: state.periodReports[period] ?? [],
                                              excluded: state.excludedReports(in: period), parallel: true, withFile: file)
            }
        } catch let failure as FileIO.Failure where failure.isPermission {
            throw failure  // this user may not read it: no damage (exit 1, its owner named)
        } catch let failure as FileIO.Failure {
            throw LedgerDamage(seq: seq, "the closed-period index \(relative) cannot be read (\(failure)), so it was not checked; make it "
                + "readable to this user, or delete it (it is rebuilt from the archived drops)")
        }
        if sha != recorded && notes.faultyCachePeriods.contains(period) {
            // Made by an earlier build from that faulty cache (the site key signed it): said, not
            // refused for good — nothing on the site could ever match it again.
            notes.warnings.append("seq \(seq): the report index recorded for \(period) was made from the faulty cache of an earlier "
                + "recon (above), not from the drop's own rows, which recon reads; a report of \(period) sent again is compared with "
                + "that index, its time an hour off, until `recon rerun \(period)` records the index anew")
            return
        }
        guard sha == recorded else {
            throw LedgerDamage(seq: seq, "report_index_sha256 is not the index of the \(period) reports the ledger holds "
                + "(recorded \(recorded), computed \(sha))")
        }
        if fileMatches == false, let earlier = indexFile(path, of: period, isOneOf: notes.indexesRecorded[period] ?? []) {
            // An older `.recon/`'s index: no damage — writers read around it and rebuild it.
            notes.warnings.append(supersededLine(period, earlier: earlier, latest: seq, rebuilt: false))
            return
        }
        if fileMatches == false {
            throw LedgerDamage(seq: seq, "the closed-period index \(ClosedPeriodIndex.relativePath(period)) is not the index this "
                + "entry vouches for; delete it (it is rebuilt from the archived drops) and find out who changed it")
        }
    }
}
