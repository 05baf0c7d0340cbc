import Crypto
import Glibc

/// Drops waiting in `Inbox/held/` because they touch a closed period; a rerun of one of
/// those periods applies them, each whole (the other closed periods it touches then await
/// their own rerun). One that no longer passes the site's rules (a later drop gave its report
/// other values, say) is rejected as at ingest: to `Inbox/rejected/` with its errors file.
public struct HeldDrops {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// What a rerun did with the held drops: applied (or already in the ledger), and rejected
    /// (by their names in `Inbox/rejected/`, where a name already there gets a `-N`).
    public struct Taken {
        public var applied: [String] = []
        public var rejected: [String] = []
        /// Whether an applied drop has rows in an open period: its drafts are out of date.
        public var touchedOpenPeriod = false
    }

    /// Applies the held drops of `period`. Each is applied whole, rejected, or stays held (it
    /// does not touch `period`).
    public func apply(period: Period) throws -> Taken {
        let site = session.site
        let files = heldNames()
        let ingestor = Ingestor(session: session)
        ingestor.reopened = period
        var taken = Taken()
        // The closed periods the applied drops touch: their hard flags are raised now, so the
        // rerun of each names flags the ledger holds (and a decisions drop can name them).
        var touched: Set<Period> = [period]
        for name in files {
            let path = site.held + "/" + name
            // Where a rejection keeps it (a name rejected/ does not hold yet, as the ingest picks it).
            let keptAs = KeptName.free(in: site.rejected, for: name)
            let outcome = try ingestor.ingestOne(path)
            switch outcome {
            // The ingest takes an applied or duplicate drop out of held/ itself, as out of the Inbox.
            case .accepted(_, _, _, _, let seq):
                touched.formUnion(periods(ofEntry: seq))
                taken.applied.append(name)
                session.log.info("\(outcome.summary) — taken by the rerun of \(period)")
            case .duplicate:
                // Already in the ledger (a rerun killed before the file left held/): the drop the
                // rerun finds awaiting it, not a new one — named once, by the drops awaiting.
                session.log.info("\(outcome.summary)")
            case .held:
                break  // touches other closed periods only: waits for the rerun of one of them
            case .rejected(_, let problems, _):
                taken.rejected.append(keptAs)
                let message = "held drop \(name) no longer applies and was rejected: Inbox/rejected/\(keptAs), with "
                    + "\(keptAs).errors.txt: " + (problems.first ?? "")
                session.log.warning("\(message)")
            case .ignored, .gone, .wouldBeAccepted:
                break
            }
        }
        if !taken.applied.isEmpty {
            try FlagRaiser(session: session).raiseNewHardFlags(including: touched.filter { session.state.isClosed($0) || $0 == period })
        }
        taken.touchedOpenPeriod = touched.contains { !session.state.isClosed($0) }
        return taken
    }

    /// What waits in `Inbox/held/` for the open `period`: a drop touching a closed period is
    /// held whole, its rows of open months too, so a close of one of those months would settle
    /// it without them — a usage drop's new reports of the month (one repeating a report taken
    /// already, with its values, adds nothing), or a decisions drop's decisions on the month's
    /// flags and reports (an exclusion the close would bill). One line each, naming the rerun
    /// that applies it.
    public func blockingClose(of period: Period) -> [String] {
        blockingCloses(of: [period])[period] ?? []
    }

    /// ``blockingClose(of:)`` for each of `periods`, every held drop read once (`recon status`
    /// asks it for every open month, on every command that refreshes its cache).
    public func blockingCloses(of periods: [Period]) -> [Period: [String]] {
        let state = session.state
        let validator = DropValidator(state: state)
        let asked = Set(periods)
        var out: [Period: [String]] = [:]
        forEachHeldDrop(of: [.usage, .decisions]) { name, kind, rows in
            var here: [Period: Int] = [:], touched = Set<Period>(), clash: [Period: Report] = [:]
            switch rows {
            case .usage(let reports):
                for r in reports {
                    touched.insert(r.period)
                    guard asked.contains(r.period) else { continue }
                    if let taken = (try? state.report(r.id)) ?? nil {
                        if !taken.sameValues(as: r) && clash[r.period] == nil { clash[r.period] = r }
                        continue
                    }
                    here[r.period, default: 0] += 1
                }
            case .decisions(let decisions):
                for d in decisions {
                    guard let target = (try? validator.resolve(subject: d.subject)) ?? nil else { continue }
                    touched.insert(target.period)
                    // A decision the month already has, the same (the drop sent again): nothing to wait for.
                    if asked.contains(target.period) && validator.decisionInForce(on: target)?.records(d) != true {
                        here[target.period, default: 0] += 1
                    }
                }
            default:
                return
            }
            let waits = touched.filter { state.isClosed($0) }.sorted()
            for period in periods {
                if let clash = clash[period] {
                    // Taken since with other values: the rerun would reject the whole drop, its late
                    // reports of the closed months with it.
                    out[period, default: []].append("Inbox/held/\(SafeText.escaped(name)) holds report \(clash.id) of \(period), taken since "
                        + "with other values: the rerun of \(waits.first?.description ?? "its closed month") would reject the whole drop — "
                        + "move it out of Inbox/held/, correct it (leave out or fix \(clash.id)) and drop it into Inbox/ again, then close \(period)")
                    continue
                }
                guard let count = here[period], count > 0 else { continue }
                let what = kind == .usage ? "report\(count == 1 ? "" : "s")" : "decision\(count == 1 ? "" : "s")"
                guard let first = waits.first else {
                    // Touching no closed month, recon never held it: put there by hand (the folder's
                    // name reads as "on hold"). A rerun only rejects it, its signed request spent.
                    out[period, default: []].append("Inbox/held/\(SafeText.escaped(name)) holds \(count) \(what) of \(period) and touches "
                        + "no closed month, so no rerun applies it: recon holds only drops that touch one, and this was put there by "
                        + "hand — move it into Inbox/ and run `recon ingest`, then close \(period)")
                    continue
                }
                let rerun = "`recon rerun \(first) --reason TEXT --key FILE`"
                out[period, default: []].append("Inbox/held/\(SafeText.escaped(name)) holds \(count) \(what) of \(period), held whole "
                    + "because it also touches closed \(waits.map(\.description).joined(separator: ", ")): \(rerun) applies it, then close \(period)")
            }
        }
        return out
    }

    /// The rows of `reports` (a usage drop about to be held, or taken into an open month) naming
    /// a report that a usage drop already held gives other values, each a problem naming that
    /// drop; nil when none does.
    func clashes(with reports: [Report], columns: [String: Int]) -> ProblemList? {
        // The drop's ids are mapped only once there is a held usage drop to look in (usually none).
        var byId: [String: Report] = [:]
        let problems = ProblemList()
        forEachHeldDrop(of: [.usage]) { name, _, rows in
            guard case .usage(let held) = rows else { return }
            if byId.isEmpty { for r in reports where byId[r.id] == nil { byId[r.id] = r } }
            for old in held {
                guard let new = byId[old.id], !new.sameValues(as: old) else { continue }
                problems.add(DropProblem(line: Int(new.line), column: columns["report_id"], field: "report_id",
                    "report \(new.id) is also in the held drop Inbox/held/\(SafeText.escaped(name)) (line \(old.line)) with other values "
                        + "(\(DropValidator.difference(old, new, then: "there", now: "here"))); the rerun would then bill one and "
                        + "reject the other — which is right is for finance to say: drop this one again corrected, "
                        + "or move the held one out and drop it again"))
            }
        }
        return problems.isEmpty ? nil : ProblemList(sorted: problems)
    }

    /// The rows of `decisions` (a decisions drop about to be held, or taken into an open month)
    /// deciding a flag or report that a decisions drop already held decides otherwise (another
    /// decision, person or note), each a problem naming that drop; nil when none does. Both would
    /// be applied by the rerun, in the order of their names, and the last would stand whatever
    /// was meant: which one stands is for finance to say.
    func clashes(with decisions: [Decision], columns: [String: Int]) -> ProblemList? {
        let validator = DropValidator(state: session.state)
        func subjectKey(_ d: Decision) -> String? { ((try? validator.resolve(subject: d.subject)) ?? nil)?.subjectKey }
        var byKey: [String: Decision] = [:]
        let problems = ProblemList()
        forEachHeldDrop(of: [.decisions]) { name, _, rows in
            guard case .decisions(let held) = rows else { return }
            if byKey.isEmpty { for d in decisions { if let key = subjectKey(d), byKey[key] == nil { byKey[key] = d } } }
            for old in held {
                guard let key = subjectKey(old), let new = byKey[key], !new.decidesAlike(old) else { continue }
                // The note too when it is all that differs: "approve by fin" twice read as the same.
                func said(_ d: Decision) -> String {
                    "\(d.decision.rawValue) by \(d.by)" + (old.decision == new.decision && old.by == new.by
                        ? ", note \"\(SafeText.escaped(d.note))\"" : "")
                }
                problems.add(DropProblem(line: new.line, column: columns["subject"], field: "subject",
                    "\(new.subject) is also decided in the held drop Inbox/held/\(SafeText.escaped(name)) (line \(old.line): "
                        + "\(said(old))) otherwise (here: \(said(new))); the rerun would "
                        + "apply both, the one whose name sorts last standing — which stands is for finance to say: move the held "
                        + "drop out of Inbox/held/ and drop one decisions file with the decision that stands"))
            }
        }
        return problems.isEmpty ? nil : ProblemList(sorted: problems)
    }

    /// The months the held usage drops hold reports of, oldest first.
    public func heldPeriods() -> [Period] {
        var periods = Set<Period>()
        forEachHeldDrop(of: [.usage]) { _, _, rows in
            guard case .usage(let reports) = rows else { return }
            periods.formUnion(Report.periods(of: reports))
        }
        return periods.sorted()
    }

    /// Where a report not taken yet waits: the held usage drop holding `id`, the report's
    /// period and the closed periods whose rerun takes that drop; nil when no held drop holds it.
    public func holding(report id: String) -> (drop: String, period: Period, reruns: [Period])? {
        var found: (drop: String, period: Period, reruns: [Period])?
        forEachHeldDrop(of: [.usage]) { name, _, rows in
            guard found == nil, case .usage(let reports) = rows, let r = reports.first(where: { $0.id == id }) else { return }
            let reruns = Set(reports.map(\.period)).filter { session.state.isClosed($0) }.sorted()
            found = (name, r.period, reruns)
        }
        return found
    }

    /// Why `subject`, which names nothing the site holds, cannot be decided yet, when it is a
    /// report a held drop holds: the decision waits for the rerun that takes the drop. Said as
    /// a way forward, not as an unknown id (the report is in plain sight in `Inbox/held/`).
    public func notTakenYet(_ subject: String) -> String? {
        guard let held = holding(report: subject) else { return nil }
        let reruns = held.reruns.map { "`recon rerun \($0)`" }.joined(separator: " or ")
        let after = session.state.isClosed(held.period)
            ? "in a decisions drop, which waits in Inbox/held/ for the next `recon rerun \(held.period)`"
            : "with `recon decide` or a decisions drop, as for any report of open \(held.period)"
        return "report \(SafeText.escaped(subject)) (of \(held.period)) is in the held drop Inbox/held/\(SafeText.escaped(held.drop)), "
            + "not taken yet, so it cannot be decided yet: \(reruns.isEmpty ? "the rerun of its month" : reruns) takes that drop "
            + "(a hard flag of it then stops that rerun until it is decided); then decide it \(after)"
    }

    /// The held decisions drop deciding each subject (a flag id or a report id), by subject:
    /// what a closed month's undecided flag waits for once its decision is dropped.
    public func heldDecisions() -> [String: String] {
        var out: [String: String] = [:]
        forEachHeldDrop(of: [.decisions]) { name, _, rows in
            guard case .decisions(let list) = rows else { return }
            for d in list where out[d.subject] == nil { out[d.subject] = name }
        }
        return out
    }

    /// Takes out of `Inbox/held/` the drops whose bytes the ledger accepted already: a rerun
    /// killed after its append, before it moved the file. The drop is in the ledger and awaits
    /// that rerun (`recon status` names it so); the copy left would be listed as still waiting
    /// too. Every writer's repair does this; each one removed is said.
    func removeAccepted() {
        let state = session.state
        for (path, seq) in Ingestor.removeAccepted(heldNames().map { session.site.held + "/" + $0 }, state: state,
                                                          entries: session.ledger.entries) {
            let name = FileIO.baseName(path)
            // Said as it stands: awaiting the rerun that bills it, or billed already.
            let taken = seq <= session.ledger.entries.count ? session.ledger.entries[seq - 1].string("name") : nil
            let awaiting = state.awaitingRerun.filter { $0.value.contains { $0 == taken } }.keys.sorted()
            let message = "Inbox/held/\(SafeText.escaped(name)): the same bytes were accepted at seq \(seq); this copy is removed "
                + (awaiting.isEmpty ? "(a command was interrupted before it took the file out; the drop is in the ledger already)"
                    : "(a rerun was interrupted before it took the file out; the drop awaits `recon rerun "
                        + awaiting.map(\.description).joined(separator: "`, `recon rerun ") + "`, as `recon status` says)")
            session.log.notice("\(message)")
        }
    }

    /// The held drops the user recon runs as may not read (saved owner-only by another user),
    /// with why: a rerun refuses before it takes any (one rejected as unreadable, the rerun went
    /// on without it and billed what its decisions left out, on final documents).
    public var unreadable: [(name: String, code: Int32)] {
        heldNames().compactMap { name in
            let fd = open(session.site.held + "/" + name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)
            if fd >= 0 { close(fd); return nil }
            return errno == EACCES || errno == EPERM ? (name, errno) : nil
        }
    }

    /// The subjects (flag ids, report ids) the decisions drops waiting in `Inbox/held/` name, as
    /// their rows parse, and of them those they exclude: what blocks a rerun and none of them
    /// names stays, whatever it takes; a report without a price is left out only by an exclude.
    public var heldDecisionSubjects: (named: Set<String>, excluded: Set<String>) {
        var named = Set<String>(), excluded = Set<String>()
        forEachHeldDrop(of: [.decisions]) { _, _, rows in
            guard case .decisions(let decisions) = rows else { return }
            named.formUnion(decisions.map(\.subject))
            excluded.formUnion(decisions.filter { $0.decision == .exclude }.map(\.subject))
        }
        return (named, excluded)
    }

    /// Whether a decisions drop waits in `Inbox/held/`: only such a drop can take away what
    /// blocks a rerun (an undecided flag, an unpriced report it excludes); usage drops add reports.
    public var holdsDecisions: Bool { heldNames().contains { DropKind(fileName: $0) == .decisions } }

    /// The files `Inbox/held/` holds, in the order a rerun takes them. Every file there is a held
    /// drop (errors files go to rejected/, never here), whatever its name, but a viewer's own.
    private func heldNames() -> [String] {
        Self.heldDrops(in: session.site).sorted(by: Ingestor.processingOrder)
    }

    /// The held drops in `Inbox/held/` of `site` (``isHeldDrop(_:)``), folders left out: recon
    /// holds files only, and a folder there is what a NAS or a Mac keeps beside files
    /// (Synology's `@eaDir`), which `status` listed as a drop waiting for a rerun, and a signed
    /// rerun rejected — exit 2 after it had done its work, its request then spent.
    static func heldDrops(in site: Site) -> [String] {
        FileIO.listOwnFolder(site.held).filter { isHeldDrop($0) && FileStatus.of(site.held + "/" + $0)?.kind != .folder }
    }

    /// Whether a name in `Inbox/held/` is a held drop: not one recon never reads, nor what a
    /// program showing the folder leaves beside a file it opened (Office's `~$NAME`), which a
    /// rerun rejected, failing its exit code, while the drop itself was applied.
    static func isHeldDrop(_ name: String) -> Bool {
        !Ingestor.isNeverRead(name) && !ViewerFile.matches(name)
    }

    /// Calls `body` with each drop in `Inbox/held/` of one of `kinds` that parses, one at a time,
    /// in the order a rerun takes them. One that does not parse is skipped: the rerun rejects it,
    /// and nothing of it is applied.
    private func forEachHeldDrop(of kinds: Set<DropKind>, _ body: (String, DropKind, ParsedDrop) -> Void) {
        let site = session.site, state = session.state
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        // A dry run's drops that would be held are read where they are, as if they waited there.
        let files = (heldNames().map { ($0, site.held + "/" + $0) } + session.wouldBeHeld.map { ($0.name, $0.path) })
            .sorted { Ingestor.processingOrder($0.0, $1.0) }
        for (name, path) in files {
            guard let kind = DropKind(fileName: name), kinds.contains(kind),
                  let bytes = DropFile.readIfADrop(path),
                  let rows = bytes.withUnsafeBytes({ parser.parse($0, kind: kind) }).rows
            else { continue }
            body(name, kind, rows)
        }
    }

    /// The periods the drop accepted at `seq` touches: its usage rows' (its entry's `periods`),
    /// or its decisions' (the `period` of the `flag.decided` entries that follow it).
    private func periods(ofEntry seq: Int) -> [Period] {
        let entries = session.ledger.entries
        guard seq >= 1, seq <= entries.count else { return [] }
        var out = entries[seq - 1].body["periods"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Period.init) } ?? []
        for e in entries[seq...] {
            guard e.eventKind == .flagDecided else { break }
            if let p = e.body["period"]?.stringValue.flatMap(Period.init) { out.append(p) }
        }
        return out
    }
}
