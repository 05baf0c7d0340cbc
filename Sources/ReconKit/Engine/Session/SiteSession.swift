import Foundation
import Logging

/// An opened site: its configuration checked against `site.init`, its ledger read and
/// verified, its state rebuilt. Opening writes nothing. A writing session holds the site's
/// lock until it ends and runs the writer checks (SPEC §6) as it opens: a site that does not
/// verify is never written; what an interrupted command left is put right by ``repair()``.
public final class SiteSession {
    public let site: Site
    public let config: SiteConfig
    /// The SHA-256 of the `recon.toml` bytes ``config`` was read from (``StatusCache`` is keyed by it).
    public let configSha256: String
    public let ledger: LedgerFile
    /// What the ledger says, applied; the engine applies what it appends here.
    public internal(set) var state: SiteState
    /// Whether ``state`` was rebuilt only from bytes checked against the ledger in this command:
    /// archived drops, and cache files whose SHA-256 their `drop.accepted` records.
    public var stateIsFromCheckedDrops: Bool { !replayNotes.readUnvouchedCache }
    /// What rebuilding ``state`` noticed.
    public private(set) var replayNotes = LedgerReplay.Notes()
    /// The drops a dry run found it would hold (name, where it read them): the drops after
    /// them in the run are judged as if they waited in `Inbox/held/`, as the ingest would judge them.
    var wouldBeHeld: [(name: String, path: String)] = []
    public let log: Logger
    /// The time entries and documents are stamped with.
    public let clock: SiteClock
    private let lock: SiteLock?
    /// Whether ``repair()`` has run: nothing is appended or issued before.
    public private(set) var repaired = false
    /// The workbooks this command writes after its entries (the drafts, for an ingest or a
    /// decision): noted on disk before its first append (``DerivedPending``). A close or rerun
    /// owes its period's review and the margin summary; a credit or operator change owes none.
    public var derivedAfterAppend: Set<DerivedPending.Item> = [.drafts]
    /// Set before ``repair()`` by a command that writes the open months' drafts whatever it
    /// does (`recon ingest`, `recon decide`): the repair leaves stale ones to it.
    public var refreshesDrafts = false
    /// Held from the writer's opening, for as long as the session lives: a stop is noted, and
    /// acted on once the opening checks are done or just before the append's bytes (``holdSignals()``).
    private var signalHold: SignalHold?
    /// Whether the append stops on a noted signal (``holdSignals()``).
    private var appendHeld = false

    /// Stop signals no longer end the command: its documents are being issued (``SignalHold``).
    /// `undo` removes what it has written for the append if a signal stops it there.
    func holdSignals(undoingOnStop undo: (() -> Void)? = nil) {
        // A process that answers stops itself between its steps (`recon watch`, `recon demo`)
        // lets each command finish whole: a stop during one of the demo's closes ended it with
        // the close's own words, and not the demo's.
        if signalHold == nil && StopSignal.isActive { return }
        if !appendHeld {
            let hold = signalHold ?? SignalHold()
            (signalHold, appendHeld) = (hold, true)
            ledger.beforeTheBytes = { hold.stopIfAsked() }
            // The note of workbooks owed after the entries, made just before them: stopped there,
            // the command owes none (status said they were out of date).
            hold.onStop.append { [weak self] in
                // A drop archived for the entry this stop keeps out (a rerun's held drop): no entry
                // names it, and both verifiers read it as a cut ledger's until the next writer swept it.
                if let archive = self?.archiveAwaitingEntry { FileIO.remove(archive) }
                guard let self, !LedgerFile.appendedByThisProcess else { return }
                DerivedPending(site: self.site).clear(self.derivedNotedHere)
            }
        }
        if let undo { signalHold?.onStop.append(undo) }
    }
    /// Stop signals are noted and left for the command to act on (``stopAsked``) where it can
    /// stop whole: `recon ingest` between drops. Ended by one after a drop's entry, it exited
    /// 143 and said nothing, the drop recorded and gone from the Inbox.
    public func deferSignals() {
        if signalHold == nil { signalHold = SignalHold() }
    }

    /// The stop signal noted since ``deferSignals()``, if one came.
    public var stopAsked: Int32? { signalHold?.asked }

    /// A command of one entry (a decision) is past its append: stop signals are ignored from
    /// here, as they are after the entries that end a signing command.
    func commitSignals() { signalHold?.commit() }

    /// The closed-period index of `period` this command has just written (a close's, a rerun's
    /// anew): no longer the file its checks found, so its last looks leave it be.
    func indexWritten(_ period: Period) { checkedFiles?.forget(ClosedPeriodIndex.relativePath(period)) }
    /// The files the writer checks vouched for, as they were then (the checkpoints on disk among
    /// them): looked at again before an append.
    private var checkedFiles: CheckedFiles?
    /// The archive of a drop whose entry is being appended, until it is: what a stop signal
    /// taken before the entry's bytes removes (``holdSignals(undoingOnStop:)``).
    var archiveAwaitingEntry: String?
    /// The files a command names to be ingested (`recon ingest FILE…`): a drop archived by an
    /// ingest of one of them killed before its entry waits there, not in the Inbox (``repair()``).
    public var namedDrops: [String] = []
    private var derivedMarked: Set<DerivedPending.Item> = []
    /// Of those, the ones the note did not hold before this command noted them.
    private var derivedNotedHere: Set<DerivedPending.Item> = []
    /// The positions in ``ledger`` of document entries whose files the writer checks found
    /// missing (nil when they did not run): what ``repair()`` puts back.
    private(set) var missingDocuments: [Int]?

    /// What a command interrupted after its append left owed, which the next writer's repair
    /// puts right: its issued documents missing, by number, and a checkpoint it owed. For
    /// `recon status`, which writes nothing: the figures it shows are of entries whose
    /// workbooks an accountant cannot open yet.
    public var owedByAnInterruptedCommand: [String] {
        var owed: [String] = []
        let numbers = (missingDocuments ?? []).compactMap { ledger.entries[$0].string("number") }
        if let first = numbers.first {
            owed.append("\(numbers.count == 1 ? "the issued document \(first) is" : "\(numbers.count) issued documents (\(first) …) are") "
                + "missing")
        }
        if let seq = checkpointOwed { owed.append("the checkpoint after seq \(seq) is not written") }
        // The workbooks derived after the entries, noted before them and not written since: a
        // command stopped in between left the drafts showing an earlier state, and `status`
        // said nothing was owed.
        for item in DerivedPending(site: site).items(ledgerEntries: ledger.entries.count).sorted(by: { $0.line < $1.line }) {
            switch item {
            case .drafts: owed.append("the open months' drafts and review workbooks are out of date")
            case .summary: owed.append("Outbox/margin-summary.xlsx is out of date")
            case .review(let period): owed.append("\(DerivedOutput.reviewPath(period)) is out of date")
            }
        }
        return owed
    }

    /// How many issued documents the writer checks found missing (0 when they did not run).
    public var missingDocumentCount: Int { missingDocuments?.count ?? 0 }

    /// The seq whose checkpoint a command interrupted after its append owes, not written yet.
    public var checkpointOwed: Int? {
        guard let due = ledger.owedCheckpoint, due.seq <= ledger.entries.count, !Checkpointer(site: site).all().contains(due.seq) else {
            return nil
        }
        return due.seq
    }
    /// The hidden files of unfinished writes where recon writes, looked for on the other core
    /// while the ledger is read (the lock is held: no writer adds one): what ``repair()`` sweeps.
    private let temporaryFiles: BackgroundWork<[String]>?

    /// How long a second writer waits for the lock: `RECON_LOCK_TIMEOUT` seconds, 10 unset.
    /// Anything else than a number of seconds up to a day is bad usage (exit 1), as a bad
    /// `RECON_NOW` is: taken as 10, a mistyped value waited its 10 s and then said busy.
    public static var lockTimeout: Double {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["RECON_LOCK_TIMEOUT"], !text.isEmpty else { return 10 }
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let seconds = Double(text), seconds <= 86_400 else {
                throw ReconFailure.usage("RECON_LOCK_TIMEOUT=\"\(SafeText.escaped(text))\" is not a number of seconds from 0 to 86400; "
                    + "give one such as 30, or unset it to wait the default 10 s")
            }
            return seconds
        }
    }

    /// A writer (and `useCache: false`) rebuilds the state only from bytes checked against the
    /// ledger: the archived drops, and the cache files of entries a checkpoint covers or the site
    /// key signed (``CacheSignature``). A usage drop recorded after the newest checkpoint without
    /// that signature is parsed, and the cache it gives must be the one its entry records (an
    /// entry rewritten with a forged cache is refused): an ingest raised hard flags from forged
    /// rows. What close, rerun and credit append and issue comes only from those bytes.
    /// `settled: false` reads every report of every period, also those settled by a close
    /// (which other commands look up on disk, ``ClosedHistory``): a rerun reprices one.
    /// `rebuilding: false` writes nothing, not even a missing cache file or index (`recon verify`'s reading).
    /// `checked`: a reader whose output leaves the site (`recon statement`) checks as a writer
    /// does — checkpoints, privileged entries, documents — without the lock or any repair.
    /// `predicting`: a dry run (`recon ingest --dry-run`) refuses what the writer would refuse —
    /// damage the writer checks find, a clock set back — and writes nothing, not even the seal.
    public init(site: Site, writing: Bool, checked: Bool = false, predicting: Bool = false, asOfToday: Bool = false, log: Logger, useCache: Bool = true,
                settled: Bool = true, rebuilding: Bool = true, clock: SiteClock) throws {
        self.site = site
        self.log = log
        self.clock = clock
        if let tooLong = site.pathTooLong { throw tooLong }
        if let unmounted = UnlistedFolders.unmountedRefusal(in: site) { throw unmounted }
        guard site.isInitialised else {
            let left = site.filesOfALedger
            if let linked = UnlistedFolders.emptyLedgerLink(in: site, holding: left) { throw linked }
            guard left.isEmpty else {
                throw ReconFailure.verification("\(site.root)/Ledger/ledger.jsonl is missing, but the site holds \(left.joined(separator: ", ")): "
                    + "the ledger was lost, not never made — restore it from a backup or ask an auditor; nothing is written")
            }
            try Self.refuseSiteThatIsAFile(site)
            try Self.refuseFolderOfASite(site)
            throw ReconFailure.usage("\(site.root) is not a recon site (no Ledger/ledger.jsonl); run `recon init --site \(site.root)` first")
        }
        lock = writing ? try SiteLock(path: site.lockFile, timeout: SiteSession.lockTimeout) : nil
        // A stop in the opening checks (on a year's site, a few hundred milliseconds) ended the
        // writer with no word: noted from here, it ends it once they are done, saying nothing was
        // recorded. `recon watch` turns stops into its own request to finish (``StopSignal``).
        if writing && !StopSignal.isActive { signalHold = SignalHold() }
        // What the checks below read is what they find as of now, or later (``CheckedFiles``).
        let openedAt = FileStamp.Instant.now()
        try Self.replaceLinkedCacheFolders(site, log: log)
        // A year's 70 folders listed while the ledger's first bytes are read on one core.
        temporaryFiles = writing ? BackgroundWork { DocumentRepair.temporaryFiles(in: site) } : nil
        let ledger = LedgerFile(path: site.ledgerFile)
        do {
            try Stages.time("ledger") { try ledger.load(prefix: site.path(LedgerPrefix.relativePath)) }
        } catch let damage as LedgerDamage {
            throw ReconFailure.verification("the ledger does not verify: \(damage); nothing is written to a damaged ledger — restore it from a backup or ask an auditor")
        } catch let failure as FileIO.Failure where failure.isNotARegularFile {
            throw ReconFailure.verification("the ledger does not verify: \(failure) — something other than the ledger file is in its "
                + "place; nothing is written — restore Ledger/ledger.jsonl from a backup or ask an auditor")
        } catch let failure as FileIO.Failure where failure.code == EFBIG {
            // A line longer than any recon writes (``LineChunkReader``): damage, as `recon verify` says (exit 4), not a
            // failure of this machine.
            throw ReconFailure.verification("the ledger does not verify: \(failure); nothing is written to a damaged ledger — "
                + "restore it from a backup or ask an auditor")
        }
        if ledger.entries.isEmpty && site.initWasInterrupted { throw site.interruptedInit }
        try LedgerFormat.check(ledger)
        // Damage at the ledger's end is refused by readers too: figures shown or sent from a
        // ledger that does not verify would read as sound (a reader racing a writer's append
        // looks again once it has finished, ``openedChecking(_:_:)``).
        if let damage = ledger.tailDamage {
            throw ReconFailure.verification("the ledger does not verify: seq \(ledger.entries.count + 1): \(damage); nothing is written "
                + "to a damaged ledger — restore it from a backup or ask an auditor")
        }
        if !writing && ledger.halfWrittenBytes > 0 {
            let message = "the ledger ends in an unfinished append after seq \(ledger.entries.count) (\(ledger.halfWrittenBytes) bytes): a command "
                + "writing now, or one interrupted; these figures leave it out, and the next command that writes cuts it away"
            log.warning("\(message)")
        }
        // The writer checks read the ledger and the files it names, never the state: they run
        // on the other core while the state is rebuilt (a year's documents: both take tens of
        // milliseconds), and what they find is reported first, as when they ran first. Their
        // warnings wait for them, so the log reads in the same order.
        let checks = writing || checked || predicting ? BackgroundWork { () -> WriterChecks.Finding in
            var warnings: [String] = []
            // The privileged entries are checked while the issued documents still are: it
            // counts once the writer checks have passed, as when it ran after them.
            var privilegeChecked: Result<Void, Error> = .success(())
            let outcome = Result {
                try Stages.time("checks") {
                    try Self.refusingDamage {
                        try WriterChecks(site: site, ledger: ledger, warn: { warnings.append($0) }, sealing: !predicting).run(alongside: {
                            privilegeChecked = Result {
                                try Stages.time("privileged") { try Self.checkPrivilegeAndCheckpoints(site: site, ledger: ledger) }
                            }
                        })
                    }
                }
            }
            // Before anything is written or signed.
            let privileged = outcome.map { _ in privilegeChecked }
            // What they worked with was freed in this thread's arena, which the rest of the
            // command does not reuse: handed back, it does not add to the peak (``FreedMemory``).
            FreedMemory.giveBack()
            return WriterChecks.Finding(outcome: outcome, privileged: try? privileged.get(), warnings: warnings)
        } : nil
        // The entries after the newest checkpoint are the ones no signature covers yet: their caches
        // confirmed, their rules judged, their hard flags checked against their reports.
        let covered = !useCache || writing || checked || predicting ? Checkpointer(site: site).newestCount : 0
        let opened = Result { () throws -> (config: SiteConfig, sha256: String, replayed: LedgerReplay.Replayed) in
            guard let first = ledger.entries.first, case .siteInit(let initial)? = try? LedgerEvent(entry: first) else {
                throw ReconFailure.verification("the ledger does not verify: seq 1: the first entry is not site.init; nothing is "
                    + "written to a site that does not verify — restore it from a backup or ask an auditor")
            }
            let (config, sha256) = try SiteConfigFile.load(site, initial: initial)
            let replayed = try Stages.time("replay") {
                try Self.refusingDamage {
                    try LedgerReplay.state(site: site, ledger: ledger, cache: useCache ? DropCache(dir: site.cache) : nil,
                                           hashVouchedDrops: writing || predicting, settled: settled, rebuilding: rebuilding,
                                           confirmingCachesAfter: !useCache || writing || predicting ? covered : nil,
                                           judgingEntriesAfter: writing || checked || predicting ? covered : nil)
                }
            }
            return (config, sha256, replayed)
        }
        let found = checks?.wait()
        if let passedBy = ledger.prefixPassedBy {
            let message = "\(LedgerPrefix.relativePath) was not read (\(passedBy)); the whole ledger was — `recon verify` names it "
                + "if no entry vouches for it; the next close writes it anew"
            log.warning("\(message)")
        }
        for warning in found?.warnings ?? [] { log.warning("\(warning)") }
        let outcome = try found?.outcome.get()
        missingDocuments = outcome?.missingDocuments
        self.ledger = ledger
        if writing { ledger.ownFileGiven = { [log] names in log.notice("\(LedgerFile.ownFileNotice(names))") } }
        // This command's appends sign their intent records, so a crash's are told from a forged one.
        if writing || predicting {
            // Another site's key in place of this one's is damage (`recon verify` exits 4 on it):
            // nothing is appended to a ledger that does not verify, whether or not this command
            // signs — and a dry run says so as the ingest would.
            do {
                let key = try SiteKeyFile.load(site)
                if writing { ledger.intentKey = key }
            } catch let failure as ReconFailure where failure.code == .verification {
                throw ReconFailure.verification("the ledger does not verify: \(failure.message); nothing is written")
            } catch { if writing { ledger.intentKey = nil } }
        }
        if writing {
            // Said by every writer, not only by the ones that must sign (they refuse, exit 3).
            if ledger.intentKey == nil && SiteKeyFile.isExposed(site) {
                let message = "\(SiteKeyFile.path(for: site)) can be read by its group or others, so it signs nothing: close, "
                    + "rerun, credit and operator changes refuse until `chmod 600 \(SiteKeyFile.path(for: site))`"
                log.warning("\(message)")
            }
        }
        let (config, configSha256, replayed) = try opened.get()
        if writing {
            let seqs = Checkpointer(site: site).all()
            let archives = ledger.entries.compactMap { e in
                e.eventKind == .dropAccepted ? e.string("sha256").map { (Site.dropPath(sha256: $0), $0) } : nil
            }
            checkedFiles = try CheckedFiles(site: site, ledger: ledger, openedAt: openedAt, checkpoints: seqs, checked: outcome?.found ?? [],
                                            archives: archives, archiveStamps: replayed.notes.archiveStamps,
                                            cacheStamps: replayed.notes.cacheStamps)
        }
        if writing || checked || predicting, let text = ledger.entries.first?.string("public_key"), let recorded = try? VerifierKey(text: text) {
            try Self.refusingDamage { try Verifier.checkPublicKeyFile(of: site, recorded: recorded) }
        }
        (self.config, self.configSha256) = (config, configSha256)
        state = replayed.state
        replayNotes = replayed.notes
        if writing || predicting {
            // The hard flags no checkpoint covers yet, against their reports, as `recon verify`
            // checks every one: a reason edited to "3 images" was appended over and signed.
            for e in ledger.entries.dropFirst(covered) where e.eventKind == .flagRaised && e.string("severity") == "hard" {
                guard case .flagRaised(let raised)? = try? LedgerEvent(entry: e) else { continue }
                try Self.refusingDamage { try Verifier.checkHardFlag(raised.flag, seq: e.seq, state: replayed.state) }
            }
            // A cache that `recon verify` refuses is damage a writer appends nothing over, though
            // it computed around it: one that reads every report opens no index, so checks them.
            let indexes = settled ? (damage: [], found: replayNotes.indexesFound) : try LedgerReplay.indexDamage(ledger, site: site)
            checkedFiles?.add(indexes: indexes.found)
            try Self.refuseDamagedCaches(replayNotes.damagedCaches + indexes.damage)
        }
        for warning in replayNotes.warnings { log.warning("\(warning)") }
        try found?.privileged?.get()
        // A ledger prefix not read is not yet damage (a close's checkpoint not written yet, lines
        // rewritten since); one no entry vouches for is, as `recon verify` has it: a ledger cut
        // back past a close, its documents and checkpoints taken too, leaves it the one trace,
        // which the next close would write over. Checked after the rest, whose words are plainer.
        if ledger.prefixPassedBy != nil && (writing || predicting || checked) {
            try Self.refusingDamage { _ = try Verifier(site: site).checkLedgerPrefix(ledger) }
        }
        // What writers refuse to append over, readers that check as they do refuse to show
        // figures of (a statement demanded money the cut entries had recorded as paid).
        if (checked || predicting) && !writing,
           let damage = Verifier.unrecordedArchiveDamage(site, isRecorded: { [state] in state.acceptedDrops[$0] != nil }) {
            throw ReconFailure.verification("the ledger does not verify: \(damage)")
        }
        // Figures as of today (status, a statement) would be a day before the ledger's last entry's.
        if writing || predicting || checked || asOfToday {
            try Self.refuseClockBeforeHead(clock.now(), ledger: ledger)
        }
        signalHold?.stopIfAsked()
    }

    /// recon keeps its caches in folders of its own: a symbolic link in the place of `.recon`,
    /// `.recon/cache` or `.recon/closed` had every command, `status` too, write caches wherever
    /// it pointed (an index into `Ledger/drops`, which then failed `recon verify`). The link is
    /// replaced by a folder, what it pointed to left as it was, and the caches are rebuilt from
    /// the checked ledger and drops; a link that cannot be replaced refuses the command.
    static func replaceLinkedCacheFolders(_ site: Site, log: Logger) throws {
        for relative in [".recon", ".recon/cache", ".recon/closed"] {
            let path = site.path(relative)
            guard FileIO.isSymbolicLink(path) else { continue }
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { " (to \(SafeText.escaped($0)))" } ?? ""
            do {
                try FileIO.removeChecked(path)
                try FileIO.makeDirectory(path)
            } catch {
                throw ReconFailure.refused("\(relative) is a symbolic link\(target), and recon keeps its caches in folders of its "
                    + "own; it could not be replaced by one (\(error)) — remove the link (`rm \(relative)`), then run the command again")
            }
            let message = "\(relative) was a symbolic link\(target): recon keeps its caches in folders of its own, so it is now "
                + "one (what the link pointed to is left as it was) and its caches are rebuilt from the checked ledger and drops"
            log.notice("\(message)")
        }
    }

    /// A reader that checks as a writer does (`statement`, the dry run) opens the site without
    /// the lock: readers holding it shared starved writers, which try it every 50 ms. When what
    /// it finds is damage, a writer may be half through a command (a close's entries appended,
    /// its workbooks not yet in place: read so, a ledger whose end was cut), so it waits for any
    /// writer (the lock, shared) and looks once more; only what it finds then is damage. So
    /// too when it finds documents or a checkpoint owed (``owedByAnInterruptedCommand``), which
    /// is how a close still putting its workbooks in place reads: `status` called it interrupted.
    public static func openedChecking(_ site: Site, _ open: () throws -> SiteSession) throws -> SiteSession {
        let session: SiteSession
        do {
            session = try open()
        } catch let failure as ReconFailure where failure.code == .verification {
            let lock = try SiteLock.shared(path: site.lockFile, timeout: lockTimeout)
            defer { withExtendedLifetime(lock) {} }
            return try open()
        }
        guard !session.owedByAnInterruptedCommand.isEmpty else { return session }
        let lock = try SiteLock.shared(path: site.lockFile, timeout: lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        return try open()
    }

    /// An entry stamped before the one it follows would put the ledger's history out of
    /// order (SPEC §1): a clock set back is refused before anything is written.
    private static func refuseClockBeforeHead(_ now: Date, ledger: LedgerFile) throws {
        guard let head = ledger.entries.last else { return }
        try refuseClock(now, before: head.at, seq: head.seq)
    }

    /// `--site` naming a folder of a site (its Inbox, a month of its Outbox): the site to give is
    /// named (bad usage); "run `recon init` there" was said, and `init` there is refused.
    static func refuseFolderOfASite(_ site: Site) throws {
        guard let (root, folder) = SiteInitializer.enclosingSite(of: site.root) else { return }
        throw ReconFailure.usage("\(site.root) is inside the site \(root) (its \(folder)/ folder), not a site of its own; "
            + "give --site \(ShellWord.quoted(SafeText.escaped(root)))")
    }

    /// `--site` naming a file, not a folder: said as such (bad usage), not as "not a recon site".
    static func refuseSiteThatIsAFile(_ site: Site) throws {
        guard FileIO.exists(site.root) && !FileIO.isDirectory(site.root) else { return }
        throw ReconFailure.usage("\(site.root) is a file, not a site's folder; --site names the folder a site lives in")
    }

    /// Refuses (exit 1) a clock before `headAt`, the `at` of the ledger's last entry (SPEC §1).
    public static func refuseClock(_ now: Date, before headAt: String, seq: Int? = nil) throws {
        guard let at = SiteClock.date(rfc3339: headAt), now.timeIntervalSince1970.rounded(.down) < at.timeIntervalSince1970 else { return }
        let said = "the clock reads \(SiteClock.text(now)), before the ledger's last entry (\(seq.map { "seq \($0) " } ?? "")at \(headAt)); "
            + "nothing is written or shown as of that day (an entry is never dated before the one it follows)"
        let pinned = ProcessInfo.processInfo.environment["RECON_NOW"].map { !$0.isEmpty } ?? false
        // With the system clock, the entry was dated ahead of it: by a RECON_NOW set ahead, or by
        // a machine whose clock ran fast. Until this machine's clock passes it, only a clock at
        // or after it serves.
        throw ReconFailure.usage(said + (pinned ? " — set RECON_NOW to \(headAt) or later, or unset it to use the system clock"
            : " — that entry is dated ahead of this machine's clock (written with RECON_NOW set ahead, or where the clock ran fast): "
                + "check the system clock; if it is right, run commands with RECON_NOW=\(headAt) or later until that time has passed"))
    }

    /// Puts right what an interrupted command left, after the checks of opening and before the
    /// command's own work: cuts the unfinished append after the last entry (the entries read
    /// already leave it out), puts back missing issued documents and writes a missing
    /// checkpoint. Every writing command calls it right after opening; ``append(_:)`` refuses
    /// until it has run.
    public func repair() throws {
        precondition(lock != nil, "only a writing session repairs the site")
        guard !repaired else { return }
        // Before anything is taken out of Inbox/held/: through a link there, the copies of
        // accepted drops removed were files of another folder.
        try Ingestor(session: self).requireOwnFolders()
        if ledger.ignoredIntent {
            let message = "ignored and removed Ledger/ledger.jsonl.intent: it is not signed by the site key, so no entry is cut "
                + "on its word (an interrupted append's own intent is signed)"
            log.warning("\(message)")
        }
        // The public key an auditor copies to pin, gone: written back from site.init, which
        // vouches for it (nothing in its place is ever written over: `recon verify` names that).
        if FileStatus.of(site.publicKeyFile) == nil, let key = ledger.entries.first?.string("public_key"), FileIO.isDirectory(site.path("Ledger/keys")) {
            do {
                try FileIO.writeAtomically(site.publicKeyFile, Array((key + "\n").utf8))
                log.notice("Ledger/keys/site.pub was missing: written again from site.init's public_key")
            } catch {
                log.warning("Ledger/keys/site.pub is missing and could not be written again: \(error)")
            }
        }
        if ledger.needsRepair {
            let lines = ledger.interruptedEntries
            let cut = try ledger.cutHalfWrittenTail()
            if lines > 0 {
                log.warning("cut away an append left unfinished by an interrupted command (\(cut) bytes, \(lines) complete line\(lines == 1 ? "" : "s") of it); it was never part of the ledger")
            } else if cut > 0 {
                log.warning("cut away a half-written last ledger line (\(cut) bytes) left by an interrupted command; it was never an entry")
            }
        }
        // Workbooks a command killed after its entries still owed: a closed period's review and
        // the summary are removed here and written again by the document repair; the drafts below.
        let owed = DerivedPending(site: site).items(ledgerEntries: ledger.entries.count)
        if owed.isEmpty { DerivedPending(site: site).clear(DerivedPending(site: site).items()) }  // stopped before its append
        var rewritten: [(item: DerivedPending.Item, relative: String)] = []
        for case .review(let period) in owed where state.closedPeriods[period] != nil {
            rewritten.append((.review(period), DerivedOutput.reviewPath(period)))
        }
        if owed.contains(.summary) && !owed.contains(.drafts) { rewritten.append((.summary, MarginSummaryWriter.relative)) }
        // An owed workbook whose out-of-date copy cannot even be removed (a read-only or immutable
        // file), or that the repair then could not write, stays owed: the note keeps it until a
        // writer gets it written.
        var stillOwed = Set<DerivedPending.Item>()
        // Those taken away here were there, out of date: the repair does not call them missing.
        var outOfDate = Set<String>()
        for (item, relative) in rewritten {
            if (try? FileIO.removeChecked(site.path(relative))) != nil { outOfDate.insert(relative) }
            else if FileIO.exists(site.path(relative)) { stillOwed.insert(item) }
        }
        try Stages.time("repair") { try DocumentRepair(session: self, owed: outOfDate).run() }
        // The documents put back are this command's own, checked once written: looked at again
        // before a signing append, as those found in place are (one swapped meanwhile was signed over).
        for i in missingDocuments ?? [] {
            let e = ledger.entries[i]
            if let file = e.string("file"), let sha = e.string("sha256") { checkedFiles?.add(file, sha256: sha, in: site) }
        }
        for (item, relative) in rewritten where !FileIO.exists(site.path(relative)) { stillOwed.insert(item) }
        let written: String?
        do {
            written = try Checkpointer(site: site).writeMissing(ledger: ledger, siteName: state.name)
        } catch let failure as FileIO.Failure {
            // The disk still fails it: said as the checkpoint an earlier command owes, with this
            // command's own work not begun (a bare I/O error left a user unsure what had applied).
            throw ReconFailure.usage("the checkpoint an earlier command owes could not be written (\(failure)); nothing of this "
                + "command was recorded — run it again once the disk is mended, and it signs that checkpoint first")
        }
        if let written {
            checkedFiles?.addCheckpoint(written, in: site)
            log.warning("wrote the checkpoint \(written) an interrupted command did not write")
        } else if let owed = ledger.owedCheckpoint, owed.seq > ledger.entries.count || Checkpointer(site: site).all().contains(owed.seq) {
            // Its append never landed (cut above, or refused), or its checkpoint is written: spent.
            try ledger.checkpointNoLongerOwed()
        }
        HeldDrops(session: self).removeAccepted()
        repaired = true
        if !owed.contains(.drafts) { refreshStaleDrafts() }
        if !owed.isEmpty {
            if owed.contains(.drafts) { stillOwed.formUnion(Drafter(session: self).refresh()) }
            let written = owed.subtracting(stillOwed)
            // Owed by a command that was interrupted, or whose write failed (a warning said which).
            if !written.isEmpty {
                log.warning("wrote again the workbooks an earlier command owed (\(written.map(\.line).sorted().joined(separator: ", ")))")
            }
            derivedWritten(written)
        }
    }

    /// The open months' drafts and draft reviews missing, or put back from an older copy, are
    /// written again (``DerivedStamps/staleDrafts(in:open:)``), as closed reviews are — by a
    /// command that does not write them anyway (``refreshesDrafts``). One that cannot be written
    /// is a warning and owed by no note: the next writer finds it missing again.
    private func refreshStaleDrafts() {
        let (replaced, missing) = DerivedStamps.staleDrafts(in: site, open: state.openPeriods)
        guard !replaced.isEmpty || !missing.isEmpty else { return }
        if refreshesDrafts {
            // Written by this command as it goes (an ingest, a decision), and said so as the other
            // writers say it: `status` had warned, and these wrote them again without a word.
            let why = replaced.isEmpty ? "they are missing" : "the ones there are not the ones recon last wrote (an older copy put "
                + "back from a backup, or edited)"
            log.warning("writes again the open months' drafts and review (\((replaced + missing).sorted().joined(separator: ", "))): \(why)")
            return
        }
        let unwritten = Drafter(session: self).refresh(notingFailures: false)
        guard !unwritten.contains(.drafts) else { return }  // a warning said why
        if !replaced.isEmpty {
            let message = "wrote again the open months' drafts and review (\(replaced.joined(separator: ", "))): the ones there were not "
                + "the ones recon last wrote (an older copy put back from a backup, or edited), so they could show what the ledger no longer says"
            log.warning("\(message)")
        }
        if !missing.isEmpty {
            log.warning("wrote again the open months' drafts and review (\(missing.joined(separator: ", "))): they were missing")
        }
    }

    /// Rebuilds the state from the checked archived drops when it was read through the cache:
    /// called by every command whose entries or final documents come from it.
    public func requireCheckedDrops() throws {
        guard !stateIsFromCheckedDrops else { return }
        let settled = !state.history.isEmpty
        let replayed = try Stages.time("replay-checked") {
            try Self.refusingDamage { try LedgerReplay.state(site: site, ledger: ledger, settled: settled, confirmingCachesAfter: Checkpointer(site: site).newestCount) }
        }
        if lock != nil { try Self.refuseDamagedCaches(replayed.notes.damagedCaches) }  // a writer, before it appends
        state = replayed.state
        replayNotes = replayed.notes
    }

    /// Rebuilds the state with every report of every period, from checked bytes, when settled
    /// periods were left on disk: for work on a closed period's reports (its review workbook).
    public func requireAllReports() throws {
        guard !state.history.isEmpty || !stateIsFromCheckedDrops else { return }
        let replayed = try Stages.time("replay-all") {
            try Self.refusingDamage { try LedgerReplay.state(site: site, ledger: ledger, confirmingCachesAfter: Checkpointer(site: site).newestCount) }
        }
        if lock != nil { try Self.refuseDamagedCaches(replayed.notes.damagedCaches) }  // a writer, before it appends
        state = replayed.state
        replayNotes = replayed.notes
    }

    /// Refuses (exit 4) over the first cache file or index that is not the one the ledger vouches for.
    static func refuseDamagedCaches(_ damaged: [String]) throws {
        guard let first = damaged.first else { return }
        throw ReconFailure.verification("the site does not verify: \(first); nothing is written over it — delete it (the next "
            + "command rebuilds it from the checked archived drops, byte for byte the one recorded) and find out who changed it")
    }

    /// `leaving`: what the command leaves undone when `body` finds damage.
    private static func refusingDamage<T>(leaving: String = "nothing is written to a site that does not verify",
                                          _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let damage as LedgerDamage {
            throw ReconFailure.verification("the ledger does not verify: \(damage); \(leaving) — restore it from a backup or ask an auditor")
        }
    }

    /// Appends entries stamped with the site clock, once the workbooks this command owes after
    /// them (``derivedAfterAppend``) are noted on disk.
    @discardableResult
    public func append(_ items: [(kind: String, body: [String: JSONValue])]) throws -> [LedgerEntry] {
        try append(items, at: SiteClock.text(clock.now()))
    }

    /// The margin summary's kept closed part, read and checked on another core from the
    /// repair on, for a command whose drafts refresh the summary (``MarginSummaryWriter/readAhead(_:)``).
    private(set) var marginPartAhead: BackgroundWork<MarginSummaryWriter.Ahead?>?

    /// Starts reading the margin summary's kept part ahead, for a command that will refresh
    /// the drafts (an ingest with drops to take, a decision, a watcher's batch); a summary
    /// written for other closings reads its own.
    public func readAheadForDrafts() {
        guard repaired, marginPartAhead == nil else { return }
        marginPartAhead = MarginSummaryWriter.readAhead(self)
    }

    /// The hidden files of unfinished writes found when the session opened (none for a reader).
    func foundTemporaryFiles() -> [String] { temporaryFiles?.wait() ?? [] }

    /// ``append(_:)`` stamped `at` (issued documents carry the time their workbooks were made).
    func append(_ items: [(kind: String, body: [String: JSONValue])], at: String) throws -> [LedgerEntry] {
        precondition(repaired, "a writing command repairs the site (`repair()`) before it appends")
        if let lock, !lock.isStillTheSitesLock {
            throw ReconFailure.refused("\(lock.path) was removed or replaced while this command ran, so another recon may be writing "
                + "this site now; nothing was appended — let it finish, then run this command again (never remove the lock file: "
                + "it holds nothing once its writer has ended)")
        }
        let owesCheckpoint = items.contains { CheckpointGaps.endsACheckpointedCommand(kind: $0.kind, body: $0.body) }
        // A vouched file changed since the checks found it as recorded: a command that signs a
        // checkpoint would sign over it. Every append looks at the checkpoints (a handful): one
        // removed is a signed head the ledger must still extend, and the close signed its own over
        // a site both verifiers then refused. One that signs looks at the issued documents and
        // archived drops too (a year's: a few milliseconds).
        try lookAgain(signing: owesCheckpoint, leaving: "nothing was appended")
        // Refused before the note below: a refused command leaves nothing behind it, and its note
        // had the next writer rewrite workbooks that were there, saying they were missing.
        if let said = LedgerFile.notesInTheWay(besideLedger: ledger.path, checkpoint: owesCheckpoint) {
            throw ReconFailure.refused(said)
        }
        let owed = derivedAfterAppend.subtracting(derivedMarked)
        if !owed.isEmpty {
            // The note only speeds recovery from a crash: a site that cannot take it still takes the entries.
            do {
                let before = DerivedPending(site: site).items(ledgerEntries: ledger.entries.count)
                try DerivedPending(site: site).mark(owed, ledgerEntries: ledger.entries.count)
                derivedNotedHere.formUnion(owed.subtracting(before))
            } catch {
                let message = "could not note the workbooks this command owes in .recon/derived.pending (\(error)); if it is "
                    + "interrupted before it writes them, the next `recon ingest` or `recon decide` does"
                log.warning("\(message)")
            }
            derivedMarked.formUnion(owed)
        }
        let appended = try ledger.append(items, at: at, owesCheckpoint: owesCheckpoint)
        // The entries that end the command recorded: from here it finishes what it issued. A
        // rerun's held drops, appended before them, leave a signal noted, said at that append.
        if owesCheckpoint { signalHold?.commit() }
        return appended
    }

    /// The last look at what the writer checks found (``CheckedFiles``): throws (exit 4) when a
    /// checkpoint appeared, or a vouched file changed or went, since; `signing` (a command that
    /// signs a checkpoint), also when a final document no entry issued was put in the Outbox
    /// meanwhile. `leaving`: what the command leaves undone then. Taken before an append, and
    /// again before the checkpoint over it is signed (``Checkpointer/writeAfterAppend(_:siteName:)``):
    /// damage put there between the two was signed over.
    func lookAgain(signing: Bool, leaving: String) throws {
        if let appeared = checkedFiles?.newCheckpoint(in: site) {
            throw ReconFailure.verification("the ledger does not verify: \(appeared) appeared while this command ran (the writer checks "
                + "found no such checkpoint); \(leaving) — `recon verify` names what is wrong; remove it if no close, rerun, "
                + "credit or operator change wrote it, or ask an auditor")
        }
        if let changed = checkedFiles?.firstChanged(in: site, all: signing) {
            throw CheckedFiles.failure(changed.relative, gone: changed.gone && checkedFiles?.isCheckpoint(changed.relative) == true,
                                       leaving: leaving)
        }
        if signing && checkedFiles != nil {
            // A final document no entry issued, put there while this command ran (a copy named as
            // the next invoice): what a cut ledger leaves, which the writer checks refuse, and the
            // close signed over. This command's own are its entries' files.
            let issued = Set(ledger.entries.lazy.filter { $0.eventKind?.document != nil }.compactMap { $0.string("file") })
            try Self.refusingDamage(leaving: leaving) { try Verifier(site: site).checkNoUnissuedDocuments(issued: issued) }
        }
    }

    /// The workbooks written once they are, taken off the note (``DerivedPending``).
    func derivedWritten(_ items: Set<DerivedPending.Item>) {
        DerivedPending(site: site).clear(items)
        derivedMarked.subtract(items)
    }

    /// Takes off the note the workbooks whose write succeeded; the others stay owed, and the
    /// next writing command writes them (``repair()``), not merely when they are missing.
    func derivedWritten(written: [DerivedPending.Item: Bool]) {
        // One that failed and was not noted (the margin summary of a decision's drafts, which
        // note the drafts only) is noted now: its earlier copy, left out of date, was owed by no
        // note, and status said nothing was owed.
        let failed = Set(written.filter { !$0.value }.keys)
        if !failed.isSubset(of: DerivedPending(site: site).items()) {
            try? DerivedPending(site: site).mark(failed, ledgerEntries: max(ledger.entries.count - 1, 0))
        }
        derivedWritten(Set(written.filter(\.value).keys))
    }

    @discardableResult
    public func append(kind: String, body: [String: JSONValue]) throws -> LedgerEntry {
        try append([(kind, body)])[0]
    }
}
