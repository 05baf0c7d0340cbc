import Foundation

/// `recon status`: what a finance lead wants to know at a glance.
///
/// The ledger's head and newest signed checkpoint; closed periods with what their close
/// issued; each open period's draft totals per currency, its month-to-date margin in the base
/// currency, undecided flags and what blocks its close; and the drops waiting in the Inbox,
/// held for a rerun or rejected (with how many problems their `.errors.txt` lists).
///
/// Two parts: what only the ledger, `recon.toml` and the day decide (``Settled``: every
/// figure), and what is read from the folders each time (checkpoints, Inbox, held, rejected).
/// The settled part comes from a session, or from ``StatusCache`` when none of those changed.
public struct StatusReport {
    /// The part of the report that only the ledger, `recon.toml` and the day decide, rendered.
    public struct Settled: Equatable, Sendable {
        /// The ledger's entry count and head.
        public var entries: Int
        public var head: String
        /// The text's lines before the checkpoint line (site, ledger) and after it, up to the
        /// Inbox line (closed and open periods, receivables, seller).
        public var textBeforeCheckpoint: String
        public var textAfterCheckpoint: String
        /// Every JSON member but `ledger` and those read from the folders.
        public var json: [String: JSONValue]
    }

    public var settled: Settled

    /// The open periods the settled figures list.
    static func openPeriods(of settled: Settled) -> [Period] {
        (settled.json["open_periods"]?.arrayValue ?? []).compactMap { $0["period"]?.stringValue.flatMap(Period.init) }
    }
    /// The entry count the newest checkpoint signs.
    public var lastCheckpointSeq: Int?
    public var lastCheckpoint: String? { lastCheckpointSeq.map(Checkpointer.relativePath(seq:)) }
    public var held: [String]
    public var rejected: [String]
    /// Rejected drop → how many problems its `.errors.txt` lists (absent when it cannot be read).
    public var rejectedProblems: [String: Int]
    public var inbox: [String]
    /// The same names as the text shows them: escaped as the log escapes a name (a name that is
    /// not UTF-8 is already, ``UndecodableName/escaped``).
    public var inboxShown: [String]
    /// Why the Inbox's drops cannot be seen at all (a link leading nowhere, no Inbox), nil when they can.
    public var inboxUnseen: String?
    /// The Inbox's drops that `recon close` waits for (``Closer/waitingDrops(_:)``), read live:
    /// a file dropped since the settled part was made holds every open month's close.
    public var holdingCloses: [String]
    /// What else in the folders `recon close` refuses for, read live like the Inbox: a site key
    /// that cannot sign the close's checkpoint (missing, readable by others, another site's),
    /// for every open month; something in a month's Outbox place, for that month.
    public var siteBlockers: [String] = []
    public var outboxBlockers: [Period: String] = [:]
    /// What a command interrupted after its append left owed (``SiteSession/owedByAnInterruptedCommand``):
    /// warned on the log, and given in the JSON as `owed`.
    public var owed: [String] = []
    /// Of those, the seq whose checkpoint is owed: said as the last checkpoint, where none is yet.
    public var checkpointOwed: Int?

    /// The whole report from an opened site.
    /// - Throws: an overflow of a total, never hidden: a total that cannot be held is not shown as another.
    public init(session: SiteSession) throws {
        self.init(settled: try Self.settled(session: session), site: session.site)
    }

    /// The report of `settled` with what the folders of `site` hold now.
    public init(settled: Settled, site: Site) {
        self.settled = settled
        lastCheckpointSeq = Checkpointer(site: site).all().last
        // Only the site's own folders: a link in their place names another folder's files.
        // As a rerun takes them: not a copy whose bytes are archived already (a command stopped
        // before it took the file out), which the next writer removes — it was said to wait for a rerun.
        // One whose bytes are archived is recorded only when an entry names them: a command
        // stopped between the archive and its entry leaves an archive no entry names, and its drop
        // waiting (status said "held: 0", or "ready to close" while the close refused). The
        // ledger is looked through for the hash only then, once (what an Inbox copy of an
        // accepted drop costs too, which is rare).
        // Recorded as the kind the file's name gives it: the same bytes taken as another kind
        // (one export holding two kinds' columns) are another drop, still waiting.
        var ledgerText: Data?
        let isArchived = { (sha: String, kind: DropKind) -> Bool in
            guard FileIO.isRegularFile(site.path(Site.dropPath(sha256: sha))) else { return false }
            if ledgerText == nil { ledgerText = (try? Data(contentsOf: URL(fileURLWithPath: site.ledgerFile), options: .alwaysMapped)) ?? Data() }
            guard let text = ledgerText, let found = text.range(of: Data("\"sha256\":\"\(sha)\"".utf8)) else { return false }
            let start = text[..<found.lowerBound].lastIndex(of: 10).map { $0 + 1 } ?? text.startIndex
            let end = text[found.upperBound...].firstIndex(of: 10) ?? text.endIndex
            return text[start..<end].range(of: Data("\"kind\":\"\(kind.rawValue)\"".utf8)) != nil
        }
        held = HeldDrops.heldDrops(in: site).filter { name in
            guard let kind = DropKind(fileName: name) else { return true }
            return !(Ingestor.sha256(ofDrop: site.held + "/" + name).map { isArchived($0, kind) } ?? false)
        }.sorted()
        rejected = RejectedDrops.names(site)
        var problems: [String: Int] = [:]
        for name in rejected {
            guard let bytes = try? FileIO.read(site.rejected + "/" + name + ".errors.txt") else { continue }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            problems[name] = ProblemList.count(ofReportLines: lines)
        }
        rejectedProblems = problems
        let entries = Ingestor.inboxEntries(site)
        inbox = entries.drops.map(FileIO.baseName) + entries.undecodable.map(\.name.escaped)
        inboxShown = entries.drops.map { SafeText.escaped(FileIO.baseName($0)) } + entries.undecodable.map(\.name.escaped)
        inboxUnseen = UnlistedFolders.inboxUnseen(in: site)
        // One whose bytes are archived the close takes out.
        holdingCloses = Closer.waitingDrops(site, isRecorded: isArchived)
        // A drop a stopped command set aside as it took it (`.NAME.PID.taking`) waits under its
        // name: the next writer puts it back, and `recon close` then waits for it (status said
        // "ready to close", and the close refused).
        for aside in DropFile.leftAside(in: site.inbox) where !Ingestor.isNeverRead(aside.name) {
            inbox.append(aside.name)
            inboxShown.append(SafeText.escaped(aside.name) + " (set aside by a stopped command)")
            if Closer.holdsClose(site.inbox + "/" + aside.hidden, named: aside.name, isRecorded: isArchived) { holdingCloses.append(aside.name) }
        }
        let open = Self.openPeriods(of: settled)
        guard !open.isEmpty else { return }
        do { _ = try SiteKeyFile.load(site) } catch {
            let said = (error as? ReconFailure)?.message ?? "\(error)"
            siteBlockers.append("the site key cannot sign the close's checkpoint (for the user running this): \(said)")
        }
        // What every writer refuses before it appends, close included.
        if let said = Ingestor.ownFolderReplaced(site) { siteBlockers.append(said) }
        if let said = LedgerFile.notesInTheWay(besideLedger: site.ledgerFile) { siteBlockers.append(said) }
        for period in open { outboxBlockers[period] = OutboxCheck(site: site).obstruction(period: period) }
    }

    /// What the folders add to `period`'s blockers, as `recon close` says each.
    func liveBlockers(_ period: Period) -> [String] {
        (inboxBlocker.map { [$0] } ?? []) + siteBlockers + (outboxBlockers[period].map { [$0] } ?? [])
    }

    /// The settled text with what the folders add to each open month's blockers (``liveBlockers(_:)``,
    /// by the month whose `open YYYY-MM (draft):` section a line is in): said, and counted.
    static func withLiveBlockers(_ text: String, _ blockers: (Period) -> [String]) -> String {
        var period: Period?
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("open "), line.contains(" (draft): ") {
                period = Period(String(line.dropFirst("open ".count).prefix(7)))
                return String(line)
            }
            guard let period else { return String(line) }
            let added = blockers(period)
            guard !added.isEmpty else { return String(line) }
            let said = added.map { "  not ready to close: \($0)" }.joined(separator: "\n")
            if line == "  ready to close" {
                return said + "\n  \(plural(added.count, "thing")) \(added.count == 1 ? "blocks" : "block") the close"
            }
            let words = line.split(separator: " ")
            if line.hasPrefix("  "), line.hasSuffix(" the close"), words.count == 5, let n = Int(words[0]),
               words[1].hasPrefix("thing"), words[2].hasPrefix("block") {
                return said + "\n  \(n + added.count) things block the close"
            }
            return String(line)
        }.joined(separator: "\n")
    }

    /// What the Inbox adds to every open month's blockers, as `recon close` says it.
    var inboxBlocker: String? {
        if let inboxUnseen { return "the Inbox's drops cannot be seen: \(inboxUnseen)" }
        return holdingCloses.isEmpty ? nil : "Inbox/ holds \(holdingCloses.count == 1 ? "a drop" : "\(holdingCloses.count) drops") not yet "
            + "ingested (\(holdingCloses.prefix(5).map { SafeText.escaped($0) }.joined(separator: ", "))\(holdingCloses.count > 5 ? ", …" : "")): "
            + "run `recon ingest` before any close"
    }

    /// The settled part from an opened site; `open`: its open periods' reviews, when the
    /// caller has them already (the drafts'), else they are made here.
    public static func settled(session: SiteSession, open: [PeriodReview]? = nil) throws -> Settled {
        try StatusFigures(session: session, open: open).settled()
    }

    // MARK: - Sums

    /// Totals of documents per currency, e.g. `354.00 INR, 2.00 USD`.
    /// - Throws: an overflow, never hidden: a total that cannot be held is not shown as another.
    static func totalsByCurrency(_ amounts: [(currency: String, total: ExactDecimal)]) throws -> [(currency: String, total: ExactDecimal)] {
        var byCurrency: [String: ExactDecimal] = [:]
        for a in amounts {
            byCurrency[a.currency] = try (byCurrency[a.currency] ?? .zero) + a.total
        }
        return byCurrency.keys.sorted().map { ($0, byCurrency[$0] ?? .zero) }
    }

    static func totalsText(_ amounts: [(currency: String, total: ExactDecimal)]) throws -> String {
        try totalsByCurrency(amounts).map { "\(Digits.grouped($0.total)) \($0.currency)" }.joined(separator: ", ")
    }

    /// An open period's month-to-date revenue, cost and margin in the base currency.
    /// `base`: the site's base currency, whose digits a month of no priced client still shows (`0.00`).
    static func margin(_ r: PeriodReview, base: String) throws -> (revenue: ExactDecimal, cost: ExactDecimal, margin: ExactDecimal) {
        let zero = Currency(code: base)?.zero ?? .zero
        var revenue = zero, cost = zero
        for m in r.book.margins {
            revenue = try revenue + m.revenue
            cost = try cost + m.cost
        }
        return (revenue, cost, try revenue - cost)
    }

    /// Margin as a percentage of revenue with one decimal, for people (`46.2%`); empty without revenue.
    static func percent(_ margin: ExactDecimal, of revenue: ExactDecimal) -> String {
        guard !revenue.isZero else { return "" }
        let tenths = (margin.doubleApproximation / revenue.doubleApproximation * 1000).rounded()
        return " (\(tenths / 10)%)"
    }

    static func plural(_ n: Int, _ word: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? word : plural ?? word + "s")
    }

    /// How many closed periods the text lists one by one (the most recent); JSON lists them all.
    static let closedPeriodsShown = 12

    // MARK: - Text

    public var text: String {
        var t = settled.textBeforeCheckpoint
        if let lastCheckpoint, let seq = lastCheckpointSeq {
            let since = settled.entries - seq
            if since < 0 {
                // Status reads; it does not verify. A checkpoint past the head is entries removed.
                t += "last checkpoint: \(lastCheckpoint) — it signs seq \(seq), past the ledger's last entry (seq \(settled.entries)): "
                    + "entries were removed; run `recon verify`, no writer appends to this ledger\n"
            } else {
                t += "last checkpoint: \(lastCheckpoint)" + (since == 0 ? " (signs the head)" : " (\(Self.plural(since, "entry", "entries")) since)") + "\n"
            }
        } else if let seq = checkpointOwed {
            // A first close interrupted before its checkpoint: not "none yet" beside a month closed.
            t += "last checkpoint: none — the checkpoint after seq \(seq) is not written (the next writing command writes it)\n"
        } else {
            t += "last checkpoint: none yet (the first close writes one)\n"
        }
        t += Self.withLiveBlockers(settled.textAfterCheckpoint, liveBlockers)
        // File names as the log shows them (a newline in one would forge a line of its own).
        func shown(_ names: [String]) -> String { names.map { SafeText.escaped($0) }.joined(separator: ", ") }
        if inbox.isEmpty, let unseen = inboxUnseen {
            t += "inbox: cannot be seen: \(unseen)\n"  // not "0 waiting": whatever waits there is not seen
        } else {
            t += "inbox: \(inbox.count) waiting" + (inbox.isEmpty ? "" : " (\(inboxShown.joined(separator: ", ")))") + "\n"
        }
        t += "held: \(held.count)" + (held.isEmpty ? "" : " (\(shown(held))) — they touch a closed period and wait for `recon rerun` of it") + "\n"
        t += "rejected: \(rejected.count)" + (rejected.isEmpty ? "" : " — see Inbox/rejected/NAME.errors.txt") + "\n"
        for name in rejected {
            t += "  \(SafeText.escaped(name))" + (rejectedProblems[name].map { ": \(Self.plural($0, "problem"))" } ?? "") + "\n"
        }
        return t
    }

    // MARK: - JSON

    public var json: JSONValue {
        var members = settled.json
        members["ledger"] = .object(["entries": .int(Int64(settled.entries)), "head": .string(settled.head),
                                     "last_checkpoint": lastCheckpoint.map { .string($0) } ?? .null,
                                     "last_checkpoint_seq": lastCheckpointSeq.map { .int(Int64($0)) } ?? .null])
        members["inbox"] = .array(inbox.map { .string($0) })
        if let inboxUnseen { members["inbox_unseen"] = .string(inboxUnseen) }
        if case .array(let open)? = members["open_periods"] {
            members["open_periods"] = .array(open.map { period in
                guard case .object(var o) = period, let p = o["period"]?.stringValue.flatMap(Period.init) else { return period }
                let added = liveBlockers(p)
                guard !added.isEmpty else { return period }
                o["blocking"] = .array((o["blocking"]?.arrayValue ?? []) + added.map { .string($0) })
                return .object(o)
            })
        }
        members["held"] = .array(held.map { .string($0) })
        members["rejected"] = .array(rejected.map { .string($0) })
        members["owed"] = .array(owed.map { .string($0) })
        members["rejected_problems"] = .object(Dictionary(uniqueKeysWithValues: rejectedProblems.map { ($0.key, JSONValue.int(Int64($0.value))) }))
        return .object(members)
    }

    static func totalsJSON(_ amounts: [(currency: String, total: ExactDecimal)]) throws -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: try totalsByCurrency(amounts).map { ($0.currency, JSONValue.string($0.total.description)) }))
    }

    /// A draft's figures; `complete` is false when a problem of its party on its side (`UNPRICED`,
    /// `FX_MISSING`) leaves reports out of its total, which is then no total to rely on.
    static func draftJSON(_ d: DocumentDraft, problems: [PricingProblem]) -> JSONValue {
        let complete = !problems.contains { $0.subject == d.partyId && $0.side == d.kind }
        return .object(["party_id": .string(d.partyId), "currency": .string(d.currency.code), "reports": .int(Int64(d.reportCount)),
                        "subtotal": .string(d.subtotal.description), "tax": .string(d.tax.description), "total": .string(d.total.description),
                        "complete": .bool(complete)])
    }

    /// `provisional`, when given, says whether the flag is an open month's finding not yet in
    /// the ledger (soft flags).
    static func flagJSON(_ f: PeriodReview.FlagState, provisional: Bool? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["id": .string(f.flag.id), "code": .string(f.flag.code), "subject": .string(f.flag.subject),
                                      "score": .string(f.flag.score), "reason": .string(f.flag.reason),
                                      "decision": f.decision.map { .string($0.decision.rawValue) } ?? .null]
        if let provisional { o["provisional"] = .bool(provisional) }
        return .object(o)
    }
}
