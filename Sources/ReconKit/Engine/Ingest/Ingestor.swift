import Crypto
import Dispatch
import CSV
import Foundation
import Logging

/// Takes drops into a site (SPEC §2): each applied whole or not at all.
///
/// A drop's bytes are read once (regular files only); those bytes are hashed, parsed and
/// written as a new file of their own wherever they go, so nothing done later to the
/// original (a hard link, a writer still appending) reaches the ledger.
///
/// Order of writes, so a crash at any point loses nothing and applies nothing twice: the
/// drop is first written to `Ledger/drops/SHA256.csv` (fsynced), then its entries are
/// appended (fsynced), then it leaves the Inbox. Re-running after a crash finds either a
/// new drop (no entry yet) or an already-accepted one (removed as a duplicate).
public final class Ingestor {
    let session: SiteSession
    /// Set by a rerun: the closed period whose held drops are being applied.
    var reopened: Period?
    /// Says what each drop would do and changes nothing: no move, no archive, no entry, no
    /// drafts. Accepted drops are applied to this session's state in memory only, so a
    /// usage drop after the clients drop it needs reads as it would in a real run.
    public var dryRun = false
    /// Told each drop's outcome as it is logged, before the batch's drafts: a watcher's JSON
    /// stream says a drop taken at once, not after the batch (a crash between lost those lines).
    public var onOutcome: ((IngestOutcome) -> Void)?
    /// The stop signal that ended the batch between drops, if one did (``ingest(_:undecodable:)``).
    public private(set) var stoppedBy: Int32?
    /// Entries a dry run would have appended so far: an accepted drop's seq is predicted, and
    /// the same bytes again later in the run read as its duplicate, as they would for real.
    private var entriesWouldAppend = 0
    /// What each drop taken (or, in a dry run, that would be) changed that may not be meant
    /// (``DropNotices``), by file name: logged, and in `--json` and `--dry-run` output.
    public private(set) var notices: [String: [DropNotices.Said]] = [:]
    var state: SiteState { session.state }
    var site: Site { session.site }
    /// The file the drop being taken was read from: only that file leaves the Inbox.
    private var taking: (path: String, identity: DropFile.Identity)?
    /// The SHA-256 of the drop ``taking`` names, read with it: a rejection looks for the same
    /// bytes in `rejected/` (``keepRejected``).
    private var takingSha: String?
    /// A dry run's drops as they would be accepted, by the seq each would get: the kind a later
    /// file with the same bytes is told from (it was said "would be removed" as a duplicate,
    /// and the ingest rejected it as the same bytes taken as another kind).
    private var wouldAcceptKinds: [Int: DropKind] = [:]
    /// The site key that signs each usage drop's cache (``CacheSignature``), read once for a
    /// batch; nil where it cannot be read (kept outside the site and not at hand).
    private lazy var cacheKey: SigningKey? = try? SiteKeyFile.load(site)
    /// The clients, radiologists and usage drops this run rejected, as kept in `Inbox/rejected/`:
    /// a later drop naming a party, or a report, the site does not know points to them (``seeAlso(_:)``).
    private var rejectedEarlier: [(kind: DropKind, kept: String)] = []

    public init(session: SiteSession) { self.session = session }

    /// The Inbox's entries to process, listed once: `drops`, in processing order — by kind
    /// (master data and cards first), then name — holding besides the regular files any
    /// symlink, FIFO, device or folder (other than `held/` and `rejected/`), which are never
    /// read, only moved to `rejected/`; and `undecodable`, the entries whose names are not
    /// UTF-8 (no path names them), in byte order, each rejected by its name (``reject(_:in:)``).
    /// Never-read names are in neither.
    public static func inboxEntries(_ site: Site) -> (drops: [String], undecodable: [(folder: String, name: UndecodableName)]) {
        let names = (try? FileIO.rawNames(in: site.inbox)) ?? []
        let drops = names.compactMap { String(validating: $0, as: UTF8.self) }
            .filter { !Ingestor.isNeverRead($0) && $0 != "README.md" && $0 != "held" && $0 != "rejected"
                && !NASFolder.isMetadata($0, at: site.inbox + "/" + $0) }
            .sorted(by: Ingestor.processingOrder)
            .map { site.inbox + "/" + $0 }
        let undecodable = names.compactMap(UndecodableName.init)
            .filter { !isNeverRead($0.replaced) }
            .sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
            .map { (site.inbox, $0) }
        return (drops, undecodable)
    }

    /// `Inbox/held` and `Inbox/rejected` are folders of the site, or absent (made when needed):
    /// a symbolic link or other file there would have drops written outside the site. Refused
    /// (exit 3) before any drop is taken.
    func requireOwnFolders() throws {
        if let said = Self.ownFolderReplaced(session.site) { throw ReconFailure.refused(said) }
    }

    /// Why `Inbox/held` or `Inbox/rejected` is not a folder of `site`, or nil when both are
    /// (or are absent): what every writer refuses, and `recon status` says blocks a close.
    static func ownFolderReplaced(_ site: Site) -> String? {
        for (dir, name) in [(site.held, "Inbox/held"), (site.rejected, "Inbox/rejected")] {
            guard let info = FileStatus.of(dir), info.kind != .folder else { continue }
            return "\(name) is not a folder of the site (a symbolic link or another file is in its place); held and rejected "
                + "drops are kept only inside the site — replace it with a folder, then run the command again"
        }
        return nil
    }

    /// Names that are still being written or are not for us: never read.
    public static func isNeverRead(_ name: String) -> Bool { DropCandidate.reasonToIgnore(name: name) != nil }

    public static func processingOrder(_ a: String, _ b: String) -> Bool {
        let ka = DropKind(fileName: FileIO.baseName(a))?.order ?? 99, kb = DropKind(fileName: FileIO.baseName(b))?.order ?? 99
        return ka != kb ? ka < kb : Array(FileIO.baseName(a).utf8).lexicographicallyPrecedes(Array(FileIO.baseName(b).utf8))
    }

    /// Named files in the order they are taken: master data and cards before usage, and within
    /// a kind in the order given — the later of two drops setting one id is the one in force
    /// (SPEC §2), so `ingest clients-old.csv clients-fix.csv` leaves the fix in force; sorting
    /// them by name had the old file applied last.
    public static func namedInOrder(_ files: [String]) -> [String] {
        distinctNamed(files).enumerated().sorted { a, b in
            let ka = DropKind(fileName: FileIO.baseName(a.element))?.order ?? 99
            let kb = DropKind(fileName: FileIO.baseName(b.element))?.order ?? 99
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    /// Named files without repeats, in their order: a file named twice (`x.csv ./x.csv`) is
    /// one drop, taken once — its second mention would find it gone.
    public static func distinctNamed(_ files: [String]) -> [String] {
        var seen = Set<String>()
        return files.filter { file in
            let folder = (try? FileIO.realPath(FileIO.parent(of: file))) ?? FileIO.parent(of: file)
            return seen.insert(folder + "/" + FileIO.baseName(file)).inserted
        }
    }

    /// Processes files in the given order, then rejects the entries `undecodable` (names that
    /// are not UTF-8, each with its folder); then raises new flags and refreshes the drafts.
    public func ingest(_ paths: [String], undecodable: [(folder: String, name: UndecodableName)] = []) throws -> [IngestOutcome] {
        if !(paths.isEmpty && undecodable.isEmpty) && !dryRun { try requireOwnFolders() }
        var outcomes: [IngestOutcome] = []
        for path in paths {
            if stopAsked() { return outcomes }
            do {
                outcomes.append(log(try ingestOne(path)))
            } catch {
                throw Self.stoppedAt(FileIO.baseName(path), after: outcomes, error, dryRun: dryRun)
            }
        }
        for entry in undecodable { outcomes.append(log(try reject(entry.name, in: entry.folder))) }
        if dryRun || stopAsked() { return outcomes }
        // The drafts that follow raise any new hard and soft flags of the open periods.
        let drafting = ProgressReporter("drafts")
        drafting.phase("pricing open periods")
        defer { drafting.finish() }
        Drafter(session: session).refresh()
        return outcomes
    }

    /// Whether a stop signal was noted (``SiteSession/deferSignals()``): it ends the batch
    /// between drops, each recorded one whole and said; the drafts it owes are the next command's.
    private func stopAsked() -> Bool {
        stoppedBy = session.stopAsked
        return stoppedBy != nil
    }

    /// The failure that stopped a batch at drop `name`, naming it and what the batch recorded
    /// before it: "Nothing was recorded" after seven drops had been read as if none had.
    static func stoppedAt(_ name: String, after outcomes: [IngestOutcome], _ error: Error, dryRun: Bool) -> Error {
        let failure = error as? ReconFailure
            ?? ReconFailure(ReconFailure.Code(rawValue: ReconFailure.exitCode(for: error)) ?? .usage, "\(error)")
        var seqs: [Int] = []
        for case .accepted(_, _, _, _, let seq) in outcomes { seqs.append(seq) }
        let before = dryRun || seqs.isEmpty ? ""
            : "; of this run, the \(seqs.count == 1 ? "drop" : "\(seqs.count) drops") before it \(seqs.count == 1 ? "was" : "were") "
                + "recorded (seq \(seqs.min()!)\(seqs.count > 1 ? "–\(seqs.max()!)" : "")), and it and any after it were not taken"
        return ReconFailure(failure.code, "\(SafeText.escaped(name)): \(failure.message)\(before)")
    }

    /// Logs one drop's outcome and returns it.
    private func log(_ outcome: IngestOutcome) -> IngestOutcome {
        // JSON log lines carry the outcome's fields too, for machines.
        var metadata: Logger.Metadata = [:]
        for (key, value) in outcome.json.objectValue ?? [:] {
            metadata[key] = ConsoleLog.metadata(value)
        }
        if dryRun {
            session.log.info("dry run: \(outcome.summary(dryRun: true))", metadata: metadata)
        } else if case .rejected = outcome {
            session.log.warning("\(outcome.summary)", metadata: metadata)
        } else {
            session.log.info("\(outcome.summary)", metadata: metadata)
        }
        onOutcome?(outcome)
        return outcome
    }

    func ingestOne(_ path: String) throws -> IngestOutcome {
        let name = FileIO.baseName(path)
        if let reason = DropCandidate.reasonToIgnore(name: name) {
            return .ignored(name: name, why: "not taken: \(reason), and such a file is never read as a drop; rename it to take it")
        }
        // A drop in the Inbox, or in its held/ (a rerun taking its held drops), is ours to move:
        // taken, it leaves; rejected, it goes to rejected/ with its errors. One named elsewhere stays.
        // The Inbox's own folders, named (`recon ingest Inbox/*` names them all): never a drop. Taken
        // as a folder in the Inbox, `held/` moved whole into `rejected/`, the drops waiting for a
        // rerun with it, and the close and rerun went on without them.
        if let own = Self.ownFolder(path, of: site) {
            return .ignored(name: name, why: "not taken: \(own) is the Inbox's own folder, not a drop"
                + (own == "Inbox/held" ? " — the drops in it wait for `recon rerun` of their period, which applies them" : ""))
        }
        let folder = try? FileIO.realPath(FileIO.parent(of: path))
        let inInbox = folder != nil && (folder == (try? FileIO.realPath(site.inbox)) || folder == (try? FileIO.realPath(site.held)))
        // A drop corrected where it was rejected and named again: once taken, it and its errors
        // file leave rejected/ (status would go on listing bytes the ledger holds as rejected).
        let inRejected = !dryRun && isInRejected(folder: folder)
        var bytes: [UInt8], sha: String, permissions: mode_t
        do {
            // Hashed as it is read (a large drop on the second core).
            let read = try Stages.time("read") { try DropFile.readIdentified(path) }
            (bytes, sha, permissions) = (read.bytes, read.sha256, read.identity.permissions)
            taking = (path, read.identity)
            takingSha = read.sha256
        } catch let notRegular as DropFile.NotRegular {
            return try rejectUnread(path, inInbox: inInbox, notRegular)
        } catch let tooLarge as DropFile.TooLarge {
            // Moved as it is, never read or copied (a copy of gigabytes into rejected/).
            return try rejectUnread(path, inInbox: inInbox, tooLarge)
        } catch let failure as FileIO.Failure where failure.code == EACCES || failure.code == EPERM {
            // Saved owner-only by someone else: it stopped the batch on every run, the drops
            // after it never taken. Moved unread (a rename needs no read access), saying why.
            return try rejectUnread(path, inInbox: inInbox, DropFile.Unreadable(path: path, code: failure.code))
        } catch let failure as FileIO.Failure where failure.code == ENOENT {
            // Gone since the Inbox was listed (another recon took it, or someone moved it
            // away): nothing to take, and the rest of the batch goes on.
            return .gone(name: name)
        } catch let failure as FileIO.Failure where ![EMFILE, ENFILE, ENOMEM, ENOSPC].contains(failure.code) {
            // Its bytes cannot be had (EIO on a bad sector, a share's stale handle, a busy file),
            // though tried again: it failed every batch whole, the good drops beside it never
            // taken and the month unclosable. Moved unread, as one this user may not read; a
            // failure of this machine's own (no descriptors, no memory) still stops the batch.
            return try rejectUnread(path, inInbox: inInbox, DropFile.Unreadable(path: path, code: failure.code))
        } catch {
            throw ReconFailure.usage("\(error)")
        }
        if let seq = state.acceptedDrops[sha], let taken = Self.kind(acceptedAt: seq, in: session.ledger.entries) ?? wouldAcceptKinds[seq],
           let named = DropKind(fileName: name), named != taken {
            // The same bytes taken as another kind (one export holding both clients' and
            // radiologists' columns): removed as a duplicate, its rows as this kind were never
            // applied, and the next usage drop was rejected for an unknown radiologist.
            // A header of the taken kind's columns alone is that drop sent again under a wrong name: nothing to export.
            let message = Self.headerHoldsColumns(of: named, bytes)
                ? "these bytes were accepted at seq \(seq) as a \(taken.rawValue) drop, and a file's bytes are taken once, as one kind: "
                    + "as a \(named.rawValue) drop they would never be applied — export the \(named.rawValue) rows in a file of their own "
                    + "(its header holding only the \(named.rawValue) columns), then drop it"
                : "these bytes were accepted at seq \(seq) as a \(taken.rawValue) drop, whose header this is: its rows are in already, "
                    + "and nothing more is to be done with this file (its name, starting with \"\(named.rawValue)\", reads it as a "
                    + "\(named.rawValue) drop; name a \(taken.rawValue) export \(taken.rawValue)-….csv)"
            return try reject(path, inInbox: inInbox, bytes: bytes, permissions: permissions, [DropProblem(message)])
        }
        // The same bytes held for a rerun as another kind: taken as this one too, the held drop
        // was then removed as its leftover and never applied, or this one was "held as" it.
        let fromHeld = folder != nil && folder == (try? FileIO.realPath(site.held))
        if !fromHeld, let named = DropKind(fileName: name), let size = taking?.identity.size,
           let held = Self.copy(of: (sha, size), in: site.held), let heldKind = DropKind(fileName: held), heldKind != named {
            let message = "these bytes wait in Inbox/held/\(SafeText.escaped(held)) as a \(heldKind.rawValue) drop held for a rerun, "
                + "and a file's bytes are taken once, as one kind: as a \(named.rawValue) drop they would never be applied — export "
                + "the \(named.rawValue) rows in a file of their own (its header holding only the \(named.rawValue) columns), then drop it"
            return try reject(path, inInbox: inInbox, bytes: bytes, permissions: permissions, [DropProblem(message)])
        }
        if let seq = state.acceptedDrops[sha] {
            // Said removed only once it is (a read-only Inbox keeps it: said by ``removeTaken(_:)``).
            let removed = inInbox && !dryRun ? removeTaken(path) : true
            if inRejected { takeOutOfRejected(path) }
            if let kind = Self.kind(acceptedAt: seq, in: session.ledger.entries),
               let moved = ResentDrop(state: state).firstRowNotInForce(bytes, kind: kind) {
                let note = "\(SafeText.escaped(name)): line \(moved.line) (\(moved.what)) is no longer in force: a later drop or "
                    + "decision changed it, and stays in force, for the same bytes are never applied twice. To put this file's rows "
                    + "back in force, drop them as a new file (exported again, or saved with other line ends)"
                session.log.warning("\(note)")
            }
            return .duplicate(name: name, seq: seq, leftInPlace: !inInbox || !removed)
        }
        guard let kind = DropKind(fileName: name) else {
            return try reject(path, inInbox: inInbox, bytes: bytes, permissions: permissions, [DropProblem(
                "the file name \"\(SafeText.escaped(name))\" does not start with a drop kind; name it after its kind: \(DropKind.namesForHumans) (e.g. usage-2026-10.csv)")])
        }
        var parser = DropParser(zone: state.zone, baseCurrency: state.base)
        parser.newDrop = true  // taken now: held to every rule of this version
        let progress = ProgressReporter(name)
        defer { progress.finish() }
        progress.phase("reading")
        // The bytes parsed wait on disk, not in memory, while the rows are checked: they are
        // written beside the archive on the other core while they are parsed, the write
        // mostly waiting on the disk (a 68 MB drop: 0.04 s that followed the parse).
        let drop = DropBytes(bytes, permissions: permissions)
        let staging = dryRun ? nil : BackgroundWork { [site] in Result { try Stages.time("archive") { try drop.stage(sha: sha, site: site) } } }
        let outcome = Stages.time("parse") { bytes.withUnsafeBytes { parser.parse($0, kind: kind) } }
        bytes = []
        defer { drop.discard() }
        if let staging { try keeping(name, in: "Ledger/drops") { try Stages.time("archive-wait") { try staging.wait().get() } } }
        // What a column named near an optional one left to its default calls for depends on the
        // drop's fate (recorded, held, or not), said once that is known: "these reports are
        // recorded so … exclude them" for a drop held or rejected sent a clerk to resend a held
        // study under new ids, and the rerun billed it twice.
        var nearMiss: (said: String, column: String)?
        var fate = NearMissFate.notTaken
        defer {
            if let nearMiss {
                let message = nearMiss.said + Self.nearMissRemedy(kind, column: nearMiss.column, fate: dryRun ? .notTaken : fate)
                session.log.warning("\(message)")
            }
        }
        // Said by a dry run too: a misspelt optional column (`tax_percent`) is read as absent.
        if !outcome.unknownColumns.isEmpty {
            let said = "\(name): \(dryRun ? "would ignore" : "ignored") unknown columns \(outcome.unknownColumns.joined(separator: ", "))"
            // One whose name holds the name of an optional column the file lacks (`Urgency Level`,
            // `Tax Rate %`): every row takes that column's default, which is worth a warning.
            let absent = DropParser.columns(kind).filter { !$0.required && outcome.columns[$0.name] == nil }
            if let (column, spec) = outcome.unknownColumns.lazy.compactMap({ column in
                absent.first { DropTable.squashed(column).contains(DropTable.squashed($0.name)) }.map { (column, $0) }
            }).first {
                nearMiss = ("\(said) — \"\(column)\" holds the name \(spec.name), a column this file lacks, so every row "
                    + "took \(spec.name)'s default: ", spec.name)
            } else {
                session.log.notice("\(said)")
            }
        }
        guard let rows = outcome.rows else { return try reject(path, inInbox: inInbox, drop: drop, outcome.problems) }
        progress.phase("checking \(rows.rowCount) rows")
        // A clean usage drop is usually accepted whole: its cache file is encoded and hashed
        // on the second core while the site's rules are checked, and dropped if it is not.
        var encoding: CacheEncoding?
        if !dryRun, outcome.problems.isEmpty, case .usage(let list) = rows, !list.isEmpty {
            encoding = CacheEncoding(DropCache(dir: site.cache), sha256: sha, rows: list)
        }
        // Not accepted as encoded (rejected, held, or with rows it repeats): its file goes.
        defer { if let encoding, !encoding.committed { encoding.discard() } }
        // A decision may name a provisional soft flag, or a hard flag of usage taken earlier in
        // this batch: the open periods' findings must be known, and those hard flags recorded.
        if case .decisions = rows { try recordFindingsBeforeDecisions() }
        // The validator holds a copy of the state: it is gone before the drop is applied, so the
        // site's reports are appended to in place, not copied whole (a million, 100 MB).
        let (verdict, unknownParties, unknownPastLimit) = try Stages.time("validate") { () -> (DropValidator.Verdict, [DropProblem], Int) in
            var validator = DropValidator(state: state, columns: outcome.columns, reopened: reopened)
            validator.notTakenYet = { [session] in HeldDrops(session: session).notTakenYet($0) }
            let verdict = try validator.check(rows)
            guard !outcome.problems.isEmpty else { return (verdict, [], 0) }
            // Rows past the listed problems naming a party the site does not know: counted.
            let pastLimit = outcome.problems.partiesPastLimit.values.reduce(0) { count, party in
                count + (validator.unknownParties([PartyReference(line: 0, field: party.field, id: party.id)]).isEmpty ? 0 : party.rows)
            }
            return (verdict, validator.unknownParties(outcome.problems.partiesOfFailedRows)
                + validator.repeatsOfFailedRows(outcome.problems.idsOfFailedRows, in: outcome.rows), pastLimit)
        }
        if !outcome.problems.isEmpty {
            // Report the site's rules on the rows that did parse too, in line order, and the
            // parties of those that did not.
            // A judgement of the whole file (not a held drop of the period rerun, say) is left out:
            // made without the rows that failed, it may be wrong (a held decision whose note
            // failed was said to be "about open months only").
            // Merged in line order, the first 1,000 of them all listed: added after the parse's
            // own, past its limit, an unknown client's problems were listed nowhere.
            let more = ProblemList()
            if case .reject(let judged) = verdict {
                for p in judged.problems where p.line != nil { more.add(p) }
                // Those it counted past its limit, which are rows' (the listed came first): 1 bad
                // field and 1,500 card problems were said to be 1,001.
                more.countUnlisted(judged.total - judged.problems.count)
            }
            for p in unknownParties { more.add(p) }
            let all = ProblemList(merging: [outcome.problems, more])
            all.countUnlisted(unknownPastLimit)
            return try reject(path, inInbox: inInbox, drop: drop, all)
        }
        switch verdict {
        case .reject(let problems):
            return try reject(path, inInbox: inInbox, drop: drop, problems)
        case .held(let periods):
            let fromHeld = (try? FileIO.realPath(FileIO.parent(of: path))) == (try? FileIO.realPath(site.held))
            // Two held drops giving one report other values would wait side by side, and the rerun
            // would bill whichever it took first: the clash is said now, while someone is there.
            if !fromHeld, let clash = heldClash(rows, columns: outcome.columns) {
                return try reject(path, inInbox: inInbox, drop: drop, clash)
            }
            // Said now, while the month can still be decided before its rerun issues anything.
            for said in datedAfterToday(rows, drop: name, held: true) where !fromHeld { session.log.warning("\(said.text)") }
            if dryRun {
                if !fromHeld { session.wouldBeHeld.append((name, path)) }
                return .held(name: name, periods: periods)
            }
            // The bytes that were judged wait in held/, under a name nothing holds yet.
            var keptAs: String?
            if !fromHeld {
                keptAs = try keeping(name, in: "Inbox/held") {
                    try FileIO.makeDirectory(site.held)
                    // The same bytes held already: a command killed between putting the drop in
                    // held/ and taking it out of the Inbox left both. One copy waits.
                    if let taking, let same = Self.copy(of: (sha, taking.identity.size), in: site.held, sameKindAs: name) {
                        let message = "\(SafeText.escaped(name)): the same bytes wait in Inbox/held/\(SafeText.escaped(same)) already; "
                            + "this copy is not kept twice"
                        session.log.notice("\(message)")
                        return "Inbox/held/" + same
                    }
                    let kept = KeptName.free(in: site.held, for: name)
                    try drop.place(at: site.held + "/" + kept)
                    try takeBackIfFolderReplaced(site.held + "/" + kept, errors: nil, name: name)
                    if kept != name { sayKept(name, as: "Inbox/held/\(kept)") }
                    return "Inbox/held/" + kept
                }
                if inInbox { removeTaken(path); retireRejectedCopy(sha: sha) }
                if inRejected { takeOutOfRejected(path) }
            }
            fate = .held(keptAs ?? "Inbox/held/" + name)
            return .held(name: name, periods: periods, keptAs: keptAs)
        case .accept(let fresh, let skipped):
            // A report a held drop gives other values, taken now into an open month, would have the
            // rerun reject that whole held drop (its late reports of closed months with it): the
            // clash is said now. Not while a rerun takes the held drops themselves.
            // Decisions whole: one repeating the decision in force still clashes with a held drop
            // deciding otherwise, which the rerun would apply over it.
            let judged: ParsedDrop
            if case .decisions = rows { judged = rows } else { judged = fresh }
            if reopened == nil, let clash = heldClash(judged, columns: outcome.columns) {
                return try reject(path, inInbox: inInbox, drop: drop, clash)
            }
            // Judged against the site before the drop is applied; said once it is taken.
            // A date after today too, also in a dry run, where a mistyped year is best caught.
            // Of a payments drop, its new payments only: one skipped as a repeat was said when taken.
            let said: ParsedDrop
            if case .payments = rows { said = fresh } else { said = rows }
            let changes = DropNotices.said(name, said, columns: outcome.columns, state: session.state) + datedAfterToday(fresh, drop: name)
            if !changes.isEmpty { notices[name, default: []] += changes }
            if dryRun {
                let items = try acceptanceItems(name: name, kind: kind, sha: sha, rows: rows, fresh: fresh, cache: nil)
                session.state.accepted(drop: sha, seq: session.ledger.entries.count + entriesWouldAppend + 1)
                wouldAcceptKinds[session.ledger.entries.count + entriesWouldAppend + 1] = kind
                entriesWouldAppend += items.count
                if case .usage(let list) = fresh { session.state.add(list, dedupe: false) } else { session.state.apply(fresh) }
                // Its decisions in force for the drops after it, as its `flag.decided` entries (the last of its items) would be.
                let decided = try decisions(fresh), at = session.ledger.entries.last?.at ?? ""
                for (i, event) in decided.enumerated() {
                    session.state.apply(event, seq: session.ledger.entries.count + entriesWouldAppend - decided.count + i + 1, at: at)
                }
                return .wouldBeAccepted(name: name, kind: kind, rows: rows.rowCount - skipped, skipped: skipped)
            }
            progress.phase("recording")
            let seq = try accept(drop, name: name, kind: kind, sha: sha, rows: rows, fresh: fresh, encoding: encoding,
                                 namedAt: inInbox ? nil : path)
            fate = .recorded
            for change in changes {
                if change.warning { session.log.warning("\(change.text)") } else { session.log.notice("\(change.text)") }
            }
            if inInbox { removeTaken(path); retireRejectedCopy(sha: sha) }
            if inRejected { takeOutOfRejected(path) }
            return .accepted(name: name, kind: kind, rows: rows.rowCount - skipped, skipped: skipped, seq: seq)
        }
    }

    /// Loads the open periods' provisional soft flags, and records their hard flags not raised
    /// yet, as the drafts after the batch would: a decision about one is then recorded after it,
    /// as two commands would have recorded them. A dry run notes them in memory only.
    private func recordFindingsBeforeDecisions() throws {
        let hard = Reviewer(session: session).loadProvisionalFlags()
        guard !hard.isEmpty else { return }
        if dryRun {
            for flag in hard {
                entriesWouldAppend += 1
                session.state.apply(LedgerEvent.flagRaised(.init(flag)), seq: session.ledger.entries.count + entriesWouldAppend,
                                    at: session.ledger.entries.last?.at ?? "")
            }
            return
        }
        // Not recorded (a full disk, an I/O error), the decisions drop was judged without them and
        // rejected as naming "neither a flag id nor a report id": it fails with the batch instead,
        // waiting in the Inbox, as a drop whose own append fails does.
        try FlagRaiser(session: session).raise(hard)
    }

    /// Archives the drop, appends its entries, applies it. Returns the `drop.accepted` seq.
    ///
    /// The entry of a usage drop records its cache file's SHA-256, so later commands may read
    /// the rows checked instead of parsing the CSV again. The cache is encoded into a temporary
    /// file before the append (`encoding`, started while the drop was checked, when it was
    /// accepted whole) and renamed into place after it: a crash before the rename leaves a
    /// vouched cache missing, which the next command rebuilds byte for byte from the checked
    /// CSV, and a temporary file the next writer sweeps.
    /// `namedAt`: the file a drop named outside the Inbox was read from. Until its entry is
    /// appended, `Ledger/staging/SHA.named` says where it is: an archive a stopped ingest leaves
    /// (Ctrl-C, SIGKILL) is then the next writer's to remove, as one whose drop waits in the
    /// Inbox is, not a trace of a cut ledger that holds the site.
    func accept(_ drop: DropBytes, name: String, kind: DropKind, sha: String, rows: ParsedDrop,
                fresh: ParsedDrop, encoding speculative: CacheEncoding? = nil, namedAt: String? = nil) throws -> Int {
        let marker = namedAt.flatMap { try? NamedDropMarker.write(sha: sha, path: $0, site: site) }
        defer { if let marker { FileIO.remove(marker) } }
        var usagePeriods: [Period]?
        if case .usage(let list) = fresh { usagePeriods = Report.periods(of: list) }
        try OutboxCheck(site: site).requireDerivedPlaces(periods: session.state.openPeriods + (usagePeriods ?? []))
        try FileIO.makeDirectory(site.drops)
        var encoding: CacheEncoding?
        if case .usage(let list) = fresh {
            // Rows repeated from earlier drops are not in the cache: encode the rows added.
            if let speculative, list.count == rows.rowCount {
                encoding = speculative
            } else {
                speculative?.discard()  // first: the new encoding writes the same temporary file
                encoding = CacheEncoding(DropCache(dir: site.cache), sha256: sha, rows: list)
            }
        }
        // Something other than a file where the cache goes would leave the cache the entry vouches
        // for unwritable, and the site failing verify: the drop is then accepted without one (a
        // cache is only a speed-up; later commands read the archived drop).
        if let blocked = encoding, let place = DropCache(dir: site.cache).blocker(sha256: sha) {
            blocked.discard()
            encoding = nil
            let message = "\(name): \(place) is not a file (something else stands there), so the drop's cache is not kept; "
                + "later commands read the archived drop instead — remove \(place) to let recon keep caches there"
            session.log.warning("\(message)")
        }
        // The bytes that were hashed, as a new file: never a link to the original.
        let archive = site.path(Site.dropPath(sha256: sha))
        try keeping(name, in: "Ledger/drops") { try Stages.time("archive") { try drop.place(at: archive, stagingIn: site, sha: sha) } }
        let cache = Stages.time("cache-wait") { encoding?.recorded() }
        if case .usage = rows, rows.rowCount == 0 {
            // Legal, and what a file taken while its writer had written only the header looks like.
            let message = "\(name) holds a header and no row: accepted as an empty usage drop. If it was still being written, "
                + "drop it again whole under another name — files go into the Inbox by renaming (SPEC §2), never written there in place"
            session.log.warning("\(message)")
        }
        let entries: [LedgerEntry]
        session.archiveAwaitingEntry = archive
        defer { session.archiveAwaitingEntry = nil }
        do {
            let items = try acceptanceItems(name: name, kind: kind, sha: sha, rows: rows, fresh: fresh, cache: cache,
                                            periods: usagePeriods)
            entries = try Stages.time("append") { try session.append(items) }
            session.archiveAwaitingEntry = nil
        } catch {
            // Nothing was recorded (an append that fails records nothing): the archive just put in
            // place is no entry's, and would read as a ledger whose end was cut. The drop stays in
            // the Inbox for the next run.
            FileIO.remove(archive)
            throw error
        }
        if let encoding { Stages.time("cache-commit") { encoding.commit() } }
        // As the replay applies them: the drop's entry (which notes drops awaiting a rerun, and
        // whose decisions follow), then its decisions.
        session.state.accepted(drop: sha, seq: entries[0].seq)
        if case .dropAccepted(let accepted)? = try? LedgerEvent(entry: entries[0]) { session.state.accepted(accepted) }
        try LedgerReplay.apply(appended: entries.dropFirst().filter { $0.eventKind == .flagDecided }, to: &session.state, site: site)
        Stages.time("state") {
            if case .usage(let list) = fresh {
                session.state.add(list, dedupe: false)  // checked new by the validator
            } else {
                session.state.apply(fresh)
            }
        }
        return entries[0].seq
    }

    /// Of `paths`, the regular files holding the bytes of a drop the ledger accepted already (a
    /// command stopped after the drop's entry, before it took the file out), removed: each with
    /// the seq that accepted it. One that will not go is left, and not listed.
    static func removeAccepted(_ paths: [String], state: SiteState, entries: [LedgerEntry]) -> [(path: String, seq: Int)] {
        acceptedCopies(paths, state: state, entries: entries).filter { (try? FileIO.removeChecked($0.path)) != nil }
    }

    /// The regular files among `paths` holding the bytes of a drop accepted as the kind their
    /// name gives them, with its seq. The same bytes named as another kind (one export holding
    /// two kinds' columns) are another drop, never that one's leftover: removed as one, a usage
    /// drop waiting for the close or held for a rerun went unbilled, said "interrupted".
    static func acceptedCopies(_ paths: [String], state: SiteState, entries: [LedgerEntry]) -> [(path: String, seq: Int)] {
        guard !state.acceptedDrops.isEmpty else { return [] }
        return paths.compactMap { path in
            guard FileIO.isRegularFile(path), let sha = sha256(ofDrop: path), let seq = state.acceptedDrops[sha],
                  let named = DropKind(fileName: FileIO.baseName(path)), named == kind(acceptedAt: seq, in: entries) else { return nil }
            return (path, seq)
        }
    }

    /// The SHA-256 of the regular file at `path` (never through a link, never waiting on a
    /// FIFO): what tells a copy of a recorded drop; nil when it cannot be read.
    static func sha256(ofDrop path: String) -> String? {
        DropFile.readIfADrop(path).map { Hex.string(SHA256.hash(data: $0)) }
    }

    /// The name of a file in `folder` (`held/`, `rejected/`) holding the drop whose SHA-256 and
    /// size are `drop`'s, if one does; in `rejected/`, one with its errors file beside it, named
    /// as a drop of the same kind as `named` (two empty exports, `usage-….csv` and
    /// `payments-….csv`, are two drops, each with its own problems). Only files of the drop's
    /// size are read.
    static func copy(of drop: (sha: String, size: Int64), in folder: String, withErrorsFile: Bool = false,
                     sameKindAs named: String? = nil) -> String? {
        FileIO.list(folder).first { name in
            let path = folder + "/" + name
            guard !name.hasSuffix(".errors.txt"), !isNeverRead(name), let info = FileStatus.of(path), info.kind == .regularFile,
                  named.map({ DropKind(fileName: $0) == DropKind(fileName: name) }) ?? true,
                  info.size == drop.size, !withErrorsFile || FileIO.isRegularFile(errorsFile(of: path)) else { return false }
            return sha256(ofDrop: path) == drop.sha
        }
    }

    /// What `rows` (a usage or decisions drop) says otherwise than a drop held already: a
    /// report with other values, a flag or report decided otherwise (``HeldDrops``).
    private func heldClash(_ rows: ParsedDrop, columns: [String: Int]) -> ProblemList? {
        switch rows {
        case .usage(let list) where !list.isEmpty: return HeldDrops(session: session).clashes(with: list, columns: columns)
        case .decisions(let list) where !list.isEmpty: return HeldDrops(session: session).clashes(with: list, columns: columns)
        default: return nil
        }
    }

    /// Rows dated after today, warned of: money received after today is likely a mistyped date
    /// (2027 for 2026), taken as written and counting on no balance until that day; a report
    /// signed after today (2062 for 2026) is billed in the month written, and its report_id can
    /// never be sent again with the right date. The user is told which rows, and what undoes them;
    /// of usage, also those dated before their client was onboarded (``datedBeforeOnboarding``).
    /// `held`: the drop waits in Inbox/held/ for a rerun, its reports not taken yet (nothing can decide them).
    private func datedAfterToday(_ rows: ParsedDrop, drop name: String, held: Bool = false) -> [DropNotices.Said] {
        let today = session.state.zone.today(now: session.clock.now())
        switch rows {
        case .payments(let payments):
            let later = payments.filter { $0.receivedOn > today }
            guard let first = later.first else { return [] }
            return [DropNotices.Said(text: "\(name): \(later.count == 1 ? "payment" : "\(later.count) payments, e.g.") \(first.id) "
                + "(line \(first.line)) was received on \(first.receivedOn), after today (\(today)): it counts on no balance or "
                + "statement before that day — check the date with whoever exported it")]
        case .usage(let reports):
            var later = 0, first: Report?
            for r in reports where r.localDate > today {
                later += 1
                if first == nil { first = r }
            }
            var said: [DropNotices.Said] = []
            if let first {
                said.append(DropNotices.Said(text: "\(name): \(later == 1 ? "report" : "\(later) reports, e.g.") \(first.id) (line "
                    + "\(first.line)) is dated \(first.localDate), after today (\(today)), and is billed in \(first.period) — if the "
                    + "date is mistyped, exclude it (`recon decide \(first.id) exclude --by NAME`) and send the work again under a new "
                    + "report_id"))
            }
            return said + datedBeforeOnboarding(reports, drop: name, held: held)
        default:
            return []
        }
    }

    /// Usage dated before its client's `onboarded_on`: billed as any other (SPEC §3 prices every
    /// report), most likely a wrong client or date, so said, with what undoes it.
    /// `held`: the drop waits in Inbox/held/ for a rerun, its reports not taken yet.
    private func datedBeforeOnboarding(_ reports: [Report], drop name: String, held: Bool) -> [DropNotices.Said] {
        var early = 0, firstEarly: (report: Report, onboarded: LocalDate)?
        // Looked up only for reports before the latest onboarding of all: a month's million none.
        let clients = session.state.pricing.clients
        let latest = clients.values.lazy.map(\.onboardedOn).max()
        for r in reports where latest.map({ r.localDate < $0 }) ?? false {
            guard let onboarded = clients[r.clientId]?.onboardedOn, r.localDate < onboarded else { continue }
            early += 1
            if firstEarly == nil { firstEarly = (r, onboarded) }
        }
        guard let (r, onboarded) = firstEarly else { return [] }
        // Held, it can be taken back before the rerun; taken into a closed month, only a
        // decisions drop held until the next rerun reaches it.
        let undo = held
            ? "take this file out of Inbox/held/ before `recon rerun \(r.period)` takes it, and send the work again "
                + "corrected under a new report_id"
            : session.state.closedPeriods[r.period] != nil
            ? "exclude it in a decisions drop (`\(r.id),exclude,NAME`), held until the next `recon rerun \(r.period)`, and "
                + "send the work again under a new report_id"
            : "exclude it (`recon decide \(r.id) exclude --by NAME`) and send the work again under a new report_id"
        return [DropNotices.Said(text: "\(name): \(early == 1 ? "report" : "\(early) reports, e.g.") \(r.id) (line "
            + "\(r.line)) is dated \(r.localDate), before \(r.clientId) was onboarded (\(onboarded)), and is billed in "
            + "\(r.period) as any other — if the client or date is wrong, \(undo); if onboarded_on is wrong, send the "
            + "client's row again")]
    }

    /// The entries that accept a drop: its `drop.accepted` (with the periods its usage rows
    /// fall in), a `card.replaced` for each card it replaces, a `flag.decided` for each decision.
    /// `periods`: those of its usage rows, when the caller has them already.
    func acceptanceItems(name: String, kind: DropKind, sha: String, rows: ParsedDrop, fresh: ParsedDrop,
                         cache: (format: String, sha256: String)?, periods known: [Period]? = nil) throws -> [(kind: String, body: [String: JSONValue])] {
        // The periods its rows fall in: once all are settled, later commands skip the drop.
        var periods = known
        if periods == nil, case .usage(let list) = fresh { periods = Report.periods(of: list) }
        var accepted = LedgerEvent.DropAccepted(name: name, kind: kind, sha256: sha, rows: Int64(rows.rowCount),
                                                cacheFormat: cache?.format, cacheSha256: cache?.sha256, periods: periods)
        if let cache, !dryRun {
            accepted.cacheSignature = CacheSignature.sign(sha256: sha, format: cache.format, cacheSha256: cache.sha256, with: cacheKey)
        }
        var items = [LedgerEvent.dropAccepted(accepted).item]
        items += cardReplacements(fresh, sha: sha)
        items += try decisions(fresh).map(\.item)
        return items
    }

    /// The `flag.decided` events a decisions drop's rows give, each of the flag or report its
    /// subject names now; none for another kind of drop.
    func decisions(_ rows: ParsedDrop) throws -> [LedgerEvent] {
        guard case .decisions(let list) = rows else { return [] }
        let validator = DropValidator(state: state)
        return try list.compactMap { d in try validator.resolve(subject: d.subject).map { FlagRaiser.decided(d, target: $0) } }
    }

    /// `card.replaced` entries for cards whose effective date already had a card.
    func cardReplacements(_ rows: ParsedDrop, sha: String) -> [(kind: String, body: [String: JSONValue])] {
        Self.cardReplacements(rows, sha: sha, state: state)
    }

    /// The same against `state`, the site before the drop (the replay judges an entry no
    /// checkpoint covers by it: each must follow its drop).
    static func cardReplacements(_ rows: ParsedDrop, sha: String, state: SiteState) -> [(kind: String, body: [String: JSONValue])] {
        let (kind, dates): (String, [LocalDate])
        switch rows {
        case .providerRates(let list):
            kind = "provider_rates"
            dates = Set(list.map(\.effectiveFrom)).filter { state.pricing.providerCards.cards[$0] != nil }.sorted()
        case .clientRates(let list):
            kind = "client_rates"
            dates = Set(list.map(\.effectiveFrom)).filter { state.pricing.clientCards.cards[$0] != nil }.sorted()
        default: return []
        }
        return dates.map { d in
            LedgerEvent.cardReplaced(.init(kind: kind, effectiveFrom: d.description, sha256: sha)).item
        }
    }

    func reject(_ path: String, inInbox: Bool, drop: DropBytes, _ problems: ProblemList) throws -> IngestOutcome {
        try reject(path, inInbox: inInbox, problems.reportLines, permissions: drop.permissions) { try drop.place(at: $0) }
    }

    func reject(_ path: String, inInbox: Bool, bytes: [UInt8], permissions: mode_t, _ problems: [DropProblem]) throws -> IngestOutcome {
        try reject(path, inInbox: inInbox, problems.map(\.description), permissions: permissions) {
            try FileIO.writeAtomically($0, bytes, mode: permissions, exactMode: true)
        }
    }

    /// A rejection that names a client or radiologist the site does not know, after this run
    /// rejected a drop of that kind, or reports a usage drop rejected before it holds: the party
    /// or report may be in that drop, and the errors say where to look (each drop's errors were
    /// said as if the other were not there). One closing line.
    private func seeAlso(_ lines: [String]) -> [String] {
        // A decisions drop naming reports of a usage drop rejected before it in this run: each
        // subject was "neither a flag id nor a report id", with no word of that drop.
        let subjects = lines.filter { $0.contains("is neither a flag id nor a report id") }.compactMap { line -> String? in
            guard let open = line.firstIndex(of: "\""), let close = line[line.index(after: open)...].firstIndex(of: "\"") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        // Only a usage drop holding one of them (its kept bytes read, never through a link).
        let usage = subjects.isEmpty ? [] : rejectedEarlier.filter { $0.kind == .usage }.map(\.kept).filter { kept in
            let path = site.path(kept.hasPrefix("Inbox/") ? kept : "Inbox/rejected/" + kept)
            guard let bytes = try? FileIO.read(path, followingLinks: false) else { return false }
            return Self.reportIds(in: bytes, holdAnyOf: Set(subjects))
        }
        if !usage.isEmpty { return [Self.seeAlso("the reports above", in: usage)] }
        let named = [(DropKind.clients, "client"), (.radiologists, "radiologist")].filter { kind, party in
            rejectedEarlier.contains { $0.kind == kind } && lines.contains { $0.contains(DropValidator.unknownPartyText(party)) }
        }
        guard !named.isEmpty else { return [] }
        let files = named.flatMap { kind, _ in rejectedEarlier.filter { $0.kind == kind }.map(\.kept) }
        let parties = named.map { "\($0.1)s" }.joined(separator: " and ")
        return [Self.seeAlso("the unknown \(parties) above", in: files)]
    }

    /// Whether a usage drop's `report_id` column holds one of `ids`: a subject found anywhere in
    /// its text (a client id, `R1` inside `R10`) pointed to a drop holding no such report.
    static func reportIds(in bytes: [UInt8], holdAnyOf ids: Set<String>) -> Bool {
        var column: Int?, found = false
        _ = bytes.withUnsafeBytes { raw in
            CSVReader.read(raw) { _, fields in
                guard let c = column else {
                    column = fields.firstIndex { $0.trimmingCharacters(in: .whitespaces).lowercased() == "report_id" } ?? -1
                    return
                }
                if c >= 0, c < fields.count, ids.contains(fields[c].trimmingCharacters(in: .whitespaces)) { found = true }
            }
        }
        return found
    }

    /// The closing line pointing from `what` to `files`, drops this run rejected before.
    private static func seeAlso(_ what: String, in files: [String]) -> String {
        let shown = files.map { SafeText.escaped(FileIO.baseName($0)) }, one = files.count == 1
        return ProblemList.seeAlsoPrefix + "\(what) may be in \(shown.joined(separator: ", ")), rejected earlier in this run (its "
            + "problems: Inbox/rejected/\(shown[0]).errors.txt) — correct \(one ? "it" : "them"), then drop \(one ? "it" : "them") "
            + "and this file again"
    }

    /// Whether the first line of `bytes` names every column `kind` requires (a BOM, case and
    /// spaces aside), as a header of that kind does.
    static func headerHoldsColumns(of kind: DropKind, _ bytes: [UInt8]) -> Bool {
        var line = bytes.prefix { $0 != 10 && $0 != 13 }[...]
        if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        return DropTable.names(String(decoding: line, as: UTF8.self).split(separator: ",").map(String.init), everyRequiredColumnOf: kind)
    }

    /// The kind of the drop `drop.accepted` at `seq` records.
    /// `Inbox`, `Inbox/held` or `Inbox/rejected` when `path` is that folder of `site` (through any
    /// spelling or link); nil otherwise.
    static func ownFolder(_ path: String, of site: Site) -> String? {
        guard FileIO.isDirectory(path), let real = try? FileIO.realPath(path) else { return nil }
        return [("Inbox", site.inbox), ("Inbox/held", site.held), ("Inbox/rejected", site.rejected)]
            .first { (try? FileIO.realPath($0.1)) == real }?.0
    }

    static func kind(acceptedAt seq: Int, in entries: [LedgerEntry]) -> DropKind? {
        guard seq >= 1, seq <= entries.count else { return nil }
        return entries[seq - 1].body["kind"]?.stringValue.flatMap(DropKind.init(rawValue:))
    }

    /// A symlink, FIFO, device or folder, or a file over 1 GiB, is never read: in the Inbox it
    /// moves to `rejected/` as it is (a link stays a link) with a one-line reason (`why`);
    /// named elsewhere it is refused.
    func rejectUnread(_ path: String, inInbox: Bool, _ why: CustomStringConvertible) throws -> IngestOutcome {
        try reject(path, inInbox: inInbox, [why.description]) { try FileIO.renameDurably(path, to: $0) }
    }

    /// A held or rejected drop whose name `held/` or `rejected/` already holds is kept under
    /// the next free one (`-2`, `-3`…), and one whose name is too long under a shortened one:
    /// the log says where, as the outcome names the file dropped.
    private func sayKept(_ name: String, as place: String, wanted: String? = nil) {
        let wanted = wanted ?? name
        let why = !KeptName.fits(wanted) ? Self.tooLongToKeep(wanted)
            : wanted != name ? "its name is not UTF-8" : "that name was taken"
        session.log.notice("\(SafeText.escaped(name)): kept as \(SafeText.escaped(place)) (\(why))")
    }

    /// Why a drop is kept under a shortened name, for the log and its errors file.
    static func tooLongToKeep(_ name: String) -> String {
        "its name has \(name.utf8.count) bytes; a held or rejected drop's name may have at most \(KeptName.limit), "
            + "so that its errors file fits beside it"
    }

    /// Records a rejection: in the Inbox, the errors file and then the drop (put in place by
    /// `place`) go to `rejected/` under a name nothing holds yet; the original leaves the Inbox.
    /// `permissions`: the drop's, which its errors file keeps too (it quotes the drop's cells).
    func reject(_ path: String, inInbox: Bool, _ lines: [String], permissions: mode_t = 0o644,
                place: (String) throws -> Void) throws -> IngestOutcome {
        let name = FileIO.baseName(path)
        let lines = lines + seeAlso(lines)
        var keptAs: String?
        defer {
            if let kind = DropKind(fileName: name), kind == .clients || kind == .radiologists || kind == .usage {
                rejectedEarlier.append((kind, keptAs ?? name))
            }
        }
        if inInbox && !dryRun {
            var same: (sha: String, size: Int64)?
            if let taking, taking.path == path, let sha = takingSha { same = (sha, taking.identity.size) }
            keptAs = try keepRejected(name, as: name, lines, permissions: permissions, sameAs: same, place: place)
            if FileIO.exists(path) && DropFile.nonRegularKind(path) == nil { removeTaken(path) }
        } else if !dryRun, FileIO.isRegularFile(path), isInRejected(folder: try? FileIO.realPath(FileIO.parent(of: path))) {
            // Corrected in `rejected/` and named again, still wrong: its errors file says what is wrong now.
            try? FileIO.writeAtomically(Self.errorsFile(of: path), Self.errorsReport(lines))
        }
        return .rejected(name: name, problems: lines, keptAs: keptAs)
    }

    /// An entry of `folder` whose name is not UTF-8 is no drop, whatever it holds: rejected,
    /// never read, and from the Inbox moved as it is to `rejected/` under its name with U+FFFD
    /// for each byte that is not UTF-8, its errors file showing the original bytes.
    func reject(_ entry: UndecodableName, in folder: String) throws -> IngestOutcome {
        let name = entry.escaped
        let lines = ["the file name \"\(name)\" is not UTF-8 (each \\xHH above is a byte that is not); a drop's name must be: "
            + "rename it with UTF-8 characters only, starting with its kind: \(DropKind.namesForHumans) (e.g. usage-2026-10.csv)"]
        // Gone since the Inbox was listed (another command took it): nothing to reject.
        guard entry.exists(in: folder) else { return .gone(name: name) }
        let inInbox = (try? FileIO.realPath(folder)) == (try? FileIO.realPath(site.inbox))
        var keptAs: String?
        if inInbox && !dryRun { keptAs = try keepRejected(name, as: entry.replaced, lines) { try entry.move(from: folder, to: $0) } }
        return .rejected(name: name, problems: lines, keptAs: keptAs)
    }

    /// Writes the errors file, then puts the drop in place with `place`, in `rejected/` under
    /// `wanted` or the next name nothing holds yet (shortened when too long). Returns where
    /// it went (`Inbox/rejected/NAME`).
    /// `sameAs`: the drop's SHA-256 and size, when it is a regular file read by this command. A
    /// rejection killed after the drop was put in `rejected/`, before it left the Inbox, left both:
    /// rejected again, the drop is kept once (its errors file brought up to date); killed before
    /// the drop was put in place, the errors file it left alone, saying just this, is the drop's
    /// (a stray's too: a link or folder rejected again was kept as `NAME-2` beside it).
    private func keepRejected(_ name: String, as wanted: String, _ lines: [String], permissions: mode_t = 0o644,
                              sameAs: (sha: String, size: Int64)? = nil, place: (String) throws -> Void) throws -> String {
        try keeping(name, in: "Inbox/rejected") {
            try FileIO.makeDirectory(site.rejected)
            if let sameAs, let kept = Self.copy(of: sameAs, in: site.rejected, withErrorsFile: true, sameKindAs: name) {
                try FileIO.writeAtomically(Self.errorsFile(of: site.rejected + "/" + kept), Self.errorsReport(lines), mode: permissions)
                let message = "\(SafeText.escaped(name)): the same bytes were rejected already and wait in Inbox/rejected/"
                    + "\(SafeText.escaped(kept)); this copy is not kept twice"
                session.log.notice("\(message)")
                return "Inbox/rejected/" + kept
            }
            let report = Self.errorsReport(lines)
            let orphan = KeptName.fits(wanted) && FileStatus.of(site.rejected + "/" + wanted) == nil
                && (try? FileIO.read(Self.errorsFile(of: site.rejected + "/" + wanted), followingLinks: false)) == report
            let kept = orphan ? wanted : KeptName.free(in: site.rejected, for: wanted)
            // A shortened name still says which file this was, beside its problems.
            let renamed = KeptName.fits(wanted) ? [] : [ProblemList.keptAsPrefix + "\"\(SafeText.escaped(name))\"; it is kept as "
                + "\"\(SafeText.escaped(kept))\" because \(Self.tooLongToKeep(wanted))"]
            let errors = Self.errorsFile(of: site.rejected + "/" + kept)
            // No more readable than the drop it quotes, nor than the umask lets a file recon writes be
            // (exactly the drop's, it was world-readable under a service's `UMask=0027`).
            try FileIO.writeAtomically(errors, Self.errorsReport(lines + renamed), mode: permissions)
            do {
                try place(site.rejected + "/" + kept)
            } catch {
                FileIO.remove(errors)  // no errors file without its drop
                throw error
            }
            try takeBackIfFolderReplaced(site.rejected + "/" + kept, errors: errors, name: name)
            if kept != name { sayKept(name, as: "Inbox/rejected/\(kept), with \(kept).errors.txt", wanted: wanted) }
            return "Inbox/rejected/" + kept
        }
    }

    /// `Inbox/held` or `Inbox/rejected` replaced by a link while this command ran (they are
    /// checked when it opens): a drop put there (`placed`, with its `errors` file) went wherever
    /// the link points — a rejected file landed among the Outbox's invoices as one no entry
    /// issued, and every writer then refused the site. It comes back to the Inbox (unless a file
    /// took its name there, when the copy placed goes), and the command refuses (exit 3).
    private func takeBackIfFolderReplaced(_ placed: String, errors: String?, name: String) throws {
        guard let said = Self.ownFolderReplaced(site) else { return }
        if let errors { unlink(errors) }
        let back = site.inbox + "/" + name
        if FileIO.exists(back) || rename(placed, back) != 0 { unlink(placed) }
        throw ReconFailure.refused(said + " (replaced while this command ran: \(SafeText.escaped(name)) was taken back and waits in the Inbox)")
    }

    /// What became of a drop with a column named near an optional one (``nearMissRemedy(_:column:fate:)``).
    enum NearMissFate {
        case recorded
        /// Rejected, or a dry run: nothing recorded.
        case notTaken
        /// Waiting in `Inbox/held/` (the place it is kept at) for a rerun.
        case held(String)
    }

    /// Whether `folder` (a real path) is the site's `Inbox/rejected/`.
    private func isInRejected(folder: String?) -> Bool {
        folder != nil && folder == (try? FileIO.realPath(site.rejected))
    }

    /// What to do when an ignored column was `column`, by the drop's kind. Sending the rows
    /// again works where a later drop's row takes the place of an earlier one's; a report_id or a
    /// payment_id is never taken again with other values (SPEC §2), and that advice was refused.
    static func nearMissRemedy(_ kind: DropKind, column: String, fate: NearMissFate = .recorded) -> String {
        let dryRun = " (`recon ingest --dry-run` says this before anything is recorded)"
        let id = kind == .usage ? "report_id" : "payment_id"
        switch fate {
        case .recorded:
            break
        case .notTaken where kind == .usage || kind == .payments:
            // Not recorded (a dry run, a drop rejected): what to do before it is.
            return "if that column is \(column), name it so before these rows are recorded: once they are, a \(id) is never taken "
                + "again with other values"
        case .held(let place):
            // Waiting for a rerun, recorded by none: the file itself is mended, never sent again
            // beside it under new ids (the rerun would take both).
            let mend = "if that column is \(column), take the drop out of \(SafeText.escaped(place)), name the column \(column) and "
                + "drop it again before `recon rerun` takes it"
            // Only usage is sent again under new ids (a decisions drop has none, payments are never held).
            return kind == .usage ? mend + " — not a copy under new report_ids beside it, which the rerun would take as well" : mend
        case .notTaken:
            break
        }
        switch kind {
        case .usage:
            return "if that column is \(column), these reports are recorded so, and a report_id is never taken again with other "
                + "values: exclude them (a decisions drop, or `recon decide REPORT exclude`) and send them again under new "
                + "report_ids, the column named \(column)" + dryRun
        case .payments:
            return "if that column is \(column), these payments are recorded as naming none (each is set against the invoices "
                + "falling due first), and a payment_id is never taken again with other values: they stand as recorded — tell "
                + "the team which invoice each paid" + dryRun
        default:
            return "if that column is \(column), name it so and send the rows again"
        }
    }

    /// The errors file kept beside the rejected drop at `path`.
    static func errorsFile(of path: String) -> String { path + ".errors.txt" }

    /// A rejected drop's errors file: one problem a line.
    static func errorsReport(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    /// A drop named in `Inbox/rejected/` and taken (accepted, held, or its bytes already
    /// recorded) leaves it, with the errors file of its rejection.
    func takeOutOfRejected(_ path: String) {
        removeTaken(path)
        let errors = Self.errorsFile(of: path)
        if FileIO.isRegularFile(errors) { FileIO.remove(errors) }
        session.log.info("\(SafeText.escaped(FileIO.baseName(path))): taken out of Inbox/rejected/ with its errors file")
    }

    /// The copy in `rejected/` of a drop taken now from the Inbox (its bytes rejected before,
    /// dropped again once the clients file it lacked was in) goes with its errors file, as when
    /// the drop is named there: it stayed, and `status` went on listing it as rejected.
    func retireRejectedCopy(sha: String) {
        guard let taking, let copy = Self.copy(of: (sha, taking.identity.size), in: site.rejected, withErrorsFile: true,
                                               sameKindAs: FileIO.baseName(taking.path)) else { return }
        let path = site.rejected + "/" + copy
        FileIO.remove(path)
        FileIO.remove(Self.errorsFile(of: path))
        session.log.info("\(SafeText.escaped(copy)): its bytes are taken now; taken out of Inbox/rejected/ with its errors file")
    }

    /// Takes the drop read from `path` out of the Inbox (or held/): only while the name still
    /// names the file read. A new drop renamed into that name meanwhile waits for the next command.
    @discardableResult
    func removeTaken(_ path: String) -> Bool {
        guard let taking, taking.path == path else { return false }
        switch DropFile.removeIfStill(path, taking.identity) {
        case .removed, .gone: return true
        case .kept(let code):
            // Said, not "removed": a read-only Inbox kept every drop, and a watcher took each again.
            let message = "\(SafeText.escaped(FileIO.baseName(path))) is taken (recorded), but it could not be removed from "
                + "\(site.relative(FileIO.parent(of: path)))/ (\(String(cString: strerror(code)))): it stays, and the next command "
                + "finds its bytes recorded already — make the folder writable for this user"
            session.log.warning("\(message)")
        case .replaced:
            session.log.notice("\(FileIO.baseName(path)): a new file took this name while the drop was taken; it is left for the next command")
        case .changed:
            let name = FileIO.baseName(path)
            let message = "\(name) was written to while it was taken, so it is left where it is: what was read "
                + "is what was recorded, and rows written after are not lost — drops must arrive whole, by rename; "
                + "the next command takes the file again (rows already recorded, with the same values, are skipped as repeats)"
            session.log.warning("\(message)")
        }
        return false
    }

    /// Keeps a drop's bytes in `folder` (the archive, held/, rejected/), a failure of the file
    /// system said with what to do: the drop is then left where it was, nothing recorded for it.
    func keeping<T>(_ name: String, in folder: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as FileIO.Failure {
            // The folder the failing write was in (a drop is staged in Ledger/staging/ first).
            let place = failure.path.isEmpty ? folder : FileIO.parent(of: site.relative(failure.path))
            throw ReconFailure.usage("could not keep \(name) in \(folder): \(failure). Nothing was recorded for it and it waits "
                + "where it was (with the drops after it); \(LedgerFile.remedy(failure.code, folder: place)), then run the command again")
        }
    }
}
