import Dispatch

/// Everything the ledger says, applied: master data, cards, FX, reports, flags, decisions,
/// closed periods and issued documents. Rebuilt from the ledger by ``LedgerReplay``, one
/// event at a time (``apply(_:seq:at:)``, ``apply(_:)``).
///
/// A value: a copy is a snapshot (a dry run works on one), and its arrays are shared
/// until either side changes. Hold it only for the span of a step; read the session's
/// state again after anything is appended.
public struct SiteState {
    public let name: String
    public let base: Currency
    public let zone: SiteTimeZone
    public let publicKey: String

    public internal(set) var pricing: PricingContext
    /// Every report accepted, in order of arrival — but those of settled periods
    /// (``history``), which stay on disk.
    public private(set) var reports: [Report] = []
    /// Closed periods whose reports are looked up on disk, not held (``ClosedHistory``).
    public internal(set) var history = ClosedHistory()
    /// The auditor's breakdown of each settled month an open month follows, read from its
    /// index: a soft finding's drivers compare with the month before.
    var settledBreakdowns: [Period: SettledBreakdown] = [:]
    /// Report id → position in `reports`, built on first use: closing or reporting on a
    /// month of a million reports never needs it, and a drop looks its ids up in one scan.
    private var indexCache = ReportIndexCache()
    private var index: ReportPositions? { indexCache.index }
    /// Period → positions in `reports`.
    public private(set) var periodReports: [Period: [Int32]] = [:]

    /// AuditFlag id → (subject, period, severity) for every flag raised.
    public private(set) var raisedFlags: [String: (subject: String, period: Period, severity: AuditFlag.Severity)] = [:]
    /// Each hard flag's reason as the ledger raised it (the limit it was judged against): a
    /// review shows that, and a limit changed since beside it.
    public private(set) var hardFlagReasons: [String: String] = [:]
    /// Soft flags raised at each close, as the ledger holds them: a rerun shows these and
    /// never re-scores.
    public private(set) var raisedSoftFlags: [Period: [AuditFlag]] = [:]
    /// Soft findings of open periods (not ledger entries) by id, so a decision may name one
    /// before the close raises it. Filled by ``Reviewer/loadProvisionalFlags()``.
    public private(set) var provisionalFlags: [String: (subject: String, period: Period)] = [:]
    /// Each hard flag's seq, and the hard flag of each report that has one: a decision given
    /// before its flag was raised does not approve it (``hardDecision(flagId:report:period:)``).
    public private(set) var hardFlagRaisedAt: [String: Int] = [:]
    public private(set) var hardFlagOfReport: [String: String] = [:]
    /// Latest decision per report id (hard flags, exclusions).
    public private(set) var reportDecisions: [String: DecisionRecord] = [:]
    /// Latest decision per soft flag id.
    public private(set) var flagDecisions: [String: DecisionRecord] = [:]
    public private(set) var decisionLog: [DecisionRecord] = []

    /// Drop SHA-256 → seq of its `drop.accepted`.
    public private(set) var acceptedDrops: [String: Int] = [:]
    /// Period → seq of its `period.closed`.
    public private(set) var closedPeriods: [Period: Int] = [:]
    /// Each rerun period's latest rerun, by its entry's `at`: its review's ratios are the month's
    /// as it stands since, its soft flags' scores still the close's (a rerun does not re-score).
    public private(set) var rerunAt: [Period: String] = [:]
    /// Each closed period's clients and radiologists on the terms its latest documents were
    /// issued under (tax components, contract, seniority, PO number): as they stood when it
    /// closed, and for a party a rerun billed anew, as that rerun billed it (``Rerunner``
    /// bills the period under them again). Shared with the live tables until a later drop
    /// changes them.
    public private(set) var billedTerms: [Period: PartyTerms] = [:]
    /// Clients and radiologists by id, as a period's documents were billed on them.
    public typealias PartyTerms = (clients: [String: Client], radiologists: [String: Radiologist])
    /// Usage and decisions drops accepted into a period after its close or last rerun, by name:
    /// their reports or decisions are in the ledger but on no document until `recon rerun` of the
    /// period (a rerun stopped after taking its held drops, by a hard flag or a crash, leaves them
    /// so, and so does the rerun of another period that took a drop touching this one too).
    public private(set) var awaitingRerun: [Period: [String]] = [:]
    /// The decisions drop whose `flag.decided` entries follow (they come right after its `drop.accepted`).
    private var decisionsDrop: String?
    /// Closed-period history the auditor reads: each period's party statistics as its latest
    /// `period.closed` or `rerun` recorded them, kept as recorded. Decoded only where they are
    /// read (``decodedClosedStats()``): a drop into a month none of whose parties can be judged
    /// yet never reads them, and a year's 6,000 were decoded by every replay.
    private var closedStatsRecorded: [Period: JSONValue?] = [:]
    /// Closed-period history the auditor reads, decoded anew on each call (a method, not a
    /// property, so that the cost shows): call it once where it is used.
    public func decodedClosedStats() -> [Period: [PartyPeriodStats]] {
        closedStatsRecorded.reduce(into: [:]) { $0[$1.key] = PartyStatsCodec.decode($1.value, period: $1.key.description) }
    }
    /// Closed-period margins by client and modality, as the ledger recorded them; decoded
    /// only where shown (``RecordedMargins/rows()``).
    public private(set) var closedMargins: [Period: RecordedMargins] = [:]
    /// Whether soft flags blocked each period's close, as its `period.closed` records it: a
    /// rerun holds a closed month to the rule it closed under, not to a `recon.toml` changed since
    /// (its soft flags are never scored again). Nil for a close that recorded none.
    public private(set) var closedBlockOnSoft: [Period: Bool] = [:]
    /// How many of each closed period's reports (``periodReports``, in the order taken) its
    /// latest close or rerun settled: reports of a drop accepted since (a rerun refused after
    /// taking its held drops) are on no document, nor in the statistics the close recorded, and
    /// the auditor reads the month as settled, as the period's index holds it.
    public private(set) var settledReportCounts: [Period: Int] = [:]
    // `issued` and `payments` are set only by replay and ingest; unit tests build states by hand.
    public internal(set) var issued: [IssuedDocument] = []
    /// Money received from clients, in order of arrival.
    public internal(set) var payments: [Payment] = []
    /// Highest number used per prefix and year (`INV-2026` → 12).
    public private(set) var lastNumber: [String: Int] = [:]

    public init(name: String, base: Currency, zone: SiteTimeZone, publicKey: String) {
        self.name = name
        self.base = base
        self.zone = zone
        self.publicKey = publicKey
        self.pricing = PricingContext(base: base)
    }

    // MARK: Applying ledger events

    /// Applies an entry other than a drop (a drop arrives as its parsed rows, ``apply(_:)``).
    public mutating func apply(_ event: LedgerEvent, seq: Int, at: String) {
        if case .flagDecided = event {} else { decisionsDrop = nil }
        switch event {
        case .flagRaised(let p):
            raisedFlags[p.flag.id] = (p.flag.subject, p.flag.period, p.flag.severity)
            if p.flag.severity == .hard {
                hardFlagRaisedAt[p.flag.id] = seq
                hardFlagOfReport[p.flag.subject] = p.flag.id
                hardFlagReasons[p.flag.id] = p.flag.reason
            }
            if p.flag.severity == .soft { raisedSoftFlags[p.flag.period, default: []].append(p.flag) }
        case .flagDecided(let p):
            let record = DecisionRecord(seq: seq, flagId: p.id, reportId: p.reportId, decision: p.decision, by: p.by,
                                        note: p.note, period: p.period)
            decisionLog.append(record)
            if let r = record.reportId { reportDecisions[r] = record }
            if let f = record.flagId { flagDecisions[f] = record }
            // Only a rerun applies decisions about a closed period, from a held decisions drop.
            if let period = p.period, closedPeriods[period] != nil, let drop = decisionsDrop,
               !(awaitingRerun[period] ?? []).contains(drop) {
                awaitingRerun[period, default: []].append(drop)
            }
        case .periodClosed(let p):
            closedPeriods[p.period] = seq
            billedTerms[p.period] = (pricing.clients, pricing.radiologists)
            awaitingRerun[p.period] = nil
            closedBlockOnSoft[p.period] = p.auditor?.objectValue?["block_on_soft"]?.boolValue
            settle(p.period, seq: seq, stats: p.stats, margins: p.margins, entry: p.recordedIn)
        case .rerun(let p):
            awaitingRerun[p.period] = nil
            rerunAt[p.period] = at
            recordTerms(of: p)
            settle(p.period, seq: seq, stats: p.stats, margins: p.margins, entry: p.recordedIn)
        case .documentIssued(let d):
            let r = d.record
            apply(issued: IssuedDocument(seq: seq, at: at, kind: r.kind, number: r.number, period: r.period, partyId: r.partyId,
                                         currency: r.currency, subtotal: r.subtotal, tax: r.tax, total: r.total, file: r.file,
                                         sha256: d.sha256, refersTo: r.refersTo, dueOn: r.dueOn, replaces: r.replaces ?? []))
        case .siteInit, .dropAccepted, .cardReplaced, .operatorChanged:
            break  // fixed at init, applied as rows, or nothing the state holds
        }
    }

    /// What a close and a rerun alike leave of a period: the statistics and margins its entry
    /// records, and how many reports it settled (those taken since await a rerun).
    private mutating func settle(_ period: Period, seq: Int, stats: JSONValue?, margins: JSONValue?, entry: LedgerEntry?) {
        closedStatsRecorded[period] = .some(stats)
        settledReportCounts[period] = periodReports[period]?.count ?? 0
        closedMargins[period] = RecordedMargins(seq: seq, value: margins, entry: entry)
    }

    /// A rerun with `--terms now`: the period is billed under the clients and radiologists as
    /// they are now, for this command (its `rerun` entry then records them as the period's terms).
    public mutating func billOnTermsNow(_ period: Period) {
        billedTerms[period] = nil
    }

    /// The terms a `rerun` entry billed its parties under. With `"terms": "now"` (or a snapshot
    /// this command cleared for it), every party was priced under the master data of its day,
    /// and each whose terms differed was reissued: those are the period's terms now. With
    /// `"closed"`, a party billed anew keeps its terms, and one the period did not know yet
    /// takes its own of that day. A rerun by an earlier version (no `terms`) billed the parties
    /// it reissued under the master data of its day.
    private mutating func recordTerms(of p: LedgerEvent.Rerun) {
        let terms = p.members["terms"]?.stringValue
        guard terms != "now", var known = billedTerms[p.period] else {
            billedTerms[p.period] = (pricing.clients, pricing.radiologists)
            return
        }
        let numbers = Set((p.members["documents"]?.arrayValue ?? []).compactMap(\.stringValue))
        for d in issued.reversed() where numbers.contains(d.number) {
            switch d.kind {
            case .invoice where terms == nil || known.clients[d.partyId] == nil:
                known.clients[d.partyId] = pricing.clients[d.partyId]
            case .payout where terms == nil || known.radiologists[d.partyId] == nil:
                known.radiologists[d.partyId] = pricing.radiologists[d.partyId]
            default:
                break
            }
        }
        billedTerms[p.period] = known
    }

    /// Room for `count` documents before a replay applies them: a year's six thousand grew the
    /// list by copying it a dozen times, each copy into fresh pages.
    mutating func reserveDocuments(_ count: Int) {
        issued.reserveCapacity(issued.count + count)
    }

    /// Applies a document entry, as ``IssuedDocument`` reads it.
    mutating func apply(issued doc: IssuedDocument) {
        var doc = doc
        // An invoice of a build that recorded no due date was aged as due the day it was issued
        // ("1–30 days" overdue at 13 days, its own head saying 30 days' terms): it is due after
        // the client's payment terms then (30 days unless set), as it printed.
        if doc.kind == .invoice, doc.dueOn == nil, let day = doc.issuedOn(in: zone) {
            doc.dueOn = LocalDate(dayNumber: day.dayNumber + Int32(pricing.clients[doc.partyId]?.paymentTermsDays ?? 30))
        }
        issued.append(doc)
        record(number: doc.number)
        if doc.kind == .invoice || doc.kind == .payout { periodsWithIssuedDocuments.insert(doc.period) }
    }

    // MARK: Applying drops

    /// Records the `drop.accepted` entry of a drop (its rows are applied by ``apply(_:)``).
    mutating func accepted(drop sha256: String, seq: Int) {
        acceptedDrops[sha256] = seq
        decisionsDrop = nil
    }

    /// Notes a drop accepted into closed periods (``awaitingRerun``).
    mutating func accepted(_ drop: LedgerEvent.DropAccepted) {
        for period in drop.periods ?? [] where closedPeriods[period] != nil { awaitingRerun[period, default: []].append(drop.name) }
        decisionsDrop = drop.kind == .decisions ? drop.name : nil
    }

    /// The soft findings of the open periods, which are not ledger entries (``Reviewer``).
    mutating func setProvisionalFlags(_ flags: [String: (subject: String, period: Period)]) {
        provisionalFlags = flags
    }

    public mutating func apply(_ rows: ParsedDrop) {
        switch rows {
        case .usage(let list): add(list, dedupe: true)
        case .clients(let list): for c in list { pricing.clients[c.id] = c }
        case .radiologists(let list): for r in list { pricing.radiologists[r.id] = r }
        case .providerRates(let list):
            for (date, rows) in Dictionary(grouping: list, by: \.effectiveFrom) { pricing.providerCards.replace(date, with: rows) }
        case .clientRates(let list):
            for (date, rows) in Dictionary(grouping: list, by: \.effectiveFrom) { pricing.clientCards.replace(date, with: rows) }
        case .fxRates(let list): for r in list { pricing.fx.set(r) }
        case .decisions: break  // decisions enter through their `flag.decided` entries
        case .payments(let list):
            // A payment recorded before with the same values, repeated by a later export, is skipped.
            let recorded = Set(payments.map(\.id))
            payments += list.filter { !recorded.contains($0.id) }
        }
    }

    /// Adds reports. With `dedupe`, reports whose id is already held are skipped (an archived
    /// drop re-read from its CSV repeats the rows that were skipped at ingest); the drop
    /// cache holds only the rows that were new, so it needs no check.
    mutating func add(_ list: [Report], dedupe: Bool = true) {
        if !dedupe && index == nil {
            addNew(list)
            return
        }
        reports.reserveCapacity(reports.count + list.count)
        if dedupe { _ = reportPositions }
        // This state's reports change: its index may no longer be shared with a copy's.
        if !isKnownUniquelyReferenced(&indexCache) { indexCache = indexCache.copy() }
        indexCache.index?.reserve(reports.count + list.count, in: reports)
        // The month is worked out only when the day leaves it.
        var monthFirst: Int32 = 1, monthLast: Int32 = 0
        var period = Period(year: 1970, month: 1)
        for r in list {
            let i = Int32(reports.count)
            if indexCache.index != nil {
                let inserted = indexCache.index!.insert(r.id, at: i, in: reports)
                guard inserted || !dedupe else { continue }
            }
            reports.append(r)
            let day = r.localDate.dayNumber
            if day < monthFirst || day > monthLast {
                period = r.localDate.period
                monthFirst = period.firstDay.dayNumber
                monthLast = period.lastDay.dayNumber
            }
            periodReports[period, default: []].append(i)
        }
    }

    /// The months that took reports at positions `base` or later (each month's positions grow
    /// in the order taken): those of a drop just added from `base` on.
    func periods(addedFrom base: Int) -> Set<Period> {
        Set(periodReports.compactMap { period, positions in positions.last.map { Int($0) >= base } == true ? period : nil })
    }

    /// Appends reports known to be new in bulk. Their positions go to their months a run of
    /// one month at a time: a drop of one month is one range of positions, written once.
    private mutating func addNew(_ list: [Report]) {
        let base = reports.count
        if reports.isEmpty { reports = list } else { reports += list }  // the first drop shares its storage
        addMonths(from: base)
    }

    /// Puts the positions of the reports from `base` on, just appended, under their months.
    private mutating func addMonths(from base: Int) {
        reports.withUnsafeBufferPointer { held in
            Report.monthRuns(of: UnsafeBufferPointer(rebasing: held[base...])) { run, period in
                periodReports[period, default: []].append(contentsOf: (base + run.lowerBound..<base + run.upperBound).lazy.map { Int32($0) })
            }
        }
    }

    /// Appends reports known to be new that `fill` puts straight onto the end of the site's
    /// storage (a drop's cache decoded in place, never built apart and copied over). `fill`
    /// returns whether it appended them; when not, it left the storage as it was. Nil, and
    /// `fill` not called, when the storage cannot take them so: it is empty (the first drop's
    /// rows become it) or an id index is kept beside it (``add(_:dedupe:)`` inserts into that).
    mutating func addNew(appending fill: (inout [Report]) -> Bool) -> Bool? {
        guard !reports.isEmpty, index == nil else { return nil }
        let base = reports.count
        guard fill(&reports) else { return false }
        addMonths(from: base)
        return true
    }

    /// Report id → position, building the index on first use. (Built into a cache the copies
    /// of this state share only while they hold the same reports.)
    var reportPositions: ReportPositions {
        if let index { return index }
        let built = ReportPositions(reports, capacity: reports.count)
        indexCache.index = built
        return built
    }

    /// The held reports among `ids` (a drop's), in memory or in the settled history. The first
    /// lookup scans the reports once without building the index (one big drop needs no more);
    /// a second one — a batch of drops, a watcher catching up — builds the index, so each
    /// further drop costs what it holds.
    /// - Throws: ``LedgerDamage`` when a closed period's index fails its check.
    func existing<V>(_ ids: IdTable<V>) throws -> [String: Report] {
        var out: [String: Report] = [:]
        if index == nil && indexCache.scans > 0 { _ = reportPositions }
        if let index {
            for entry in ids.entries { if let i = index.position(of: entry.id, in: reports) { out[entry.id] = reports[Int(i)] } }
        } else {
            indexCache.scans += 1
            for i in Self.scan(reports, for: ids) { out[reports[i].id] = reports[i] }
        }
        guard !history.isEmpty else { return out }
        let settled = try history.lookup(ids.entries.map(\.id).filter { out[$0] == nil })
        return out.merging(settled) { held, _ in held }
    }

    /// The positions of the reports whose ids are among `ids`, in order: a month of a million
    /// is scanned in two halves on two cores, a block of ids hashed and their slots asked of
    /// memory before any is looked up (a big drop's map is larger than the caches).
    private static func scan<V>(_ reports: [Report], for ids: IdTable<V>) -> [Int] {
        let halves = reports.count >= 65_536 ? [0..<(reports.count / 2), (reports.count / 2)..<reports.count] : [reports.indices]
        var found = [[Int]](repeating: [], count: halves.count)
        found.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: halves.count) { h in
                var hashes = [UInt64](repeating: 0, count: scanBlock)
                for start in stride(from: halves[h].lowerBound, to: halves[h].upperBound, by: scanBlock) {
                    let block = start..<Swift.min(start + scanBlock, halves[h].upperBound)
                    for i in block {
                        hashes[i - start] = IdTable<V>.hash(reports[i].id)
                        ids.prefetch(hash: hashes[i - start])
                    }
                    for i in block where ids.position(of: reports[i].id, hash: hashes[i - start]) != nil { out[h].append(i) }
                }
            }
        }
        return found.flatMap { $0 }
    }

    /// Ids hashed, and their slots asked for, before the first of them is looked up.
    private static let scanBlock = 64

    /// Whether the state holds no report, in memory or settled.
    var holdsNoReports: Bool { reports.isEmpty && history.isEmpty }

    /// The report with this id, in memory or in the settled history.
    public func report(_ id: String) throws -> Report? {
        if let i = reportPositions.position(of: id, in: reports) { return reports[Int(i)] }
        return try history.lookup([id])[id]
    }

    /// The period's reports in memory: all of them, unless the period is settled (``history``).
    public func reports(in period: Period) -> [Report] { (periodReports[period] ?? []).map { reports[Int($0)] } }

    // MARK: Periods

    /// Closed, or being closed: a close that was interrupted after issuing documents locks
    /// the period too, until `recon close` finishes it.
    public func isClosed(_ p: Period) -> Bool {
        closedPeriods[p] != nil || periodsWithIssuedDocuments.contains(p)
    }

    /// Every period ``isClosed(_:)`` says is closed.
    var closedOrClosing: Set<Period> { periodsWithIssuedDocuments.union(closedPeriods.keys) }

    /// Periods for which an invoice or payout statement has been issued.
    public private(set) var periodsWithIssuedDocuments: Set<Period> = []

    /// Periods holding reports that are not closed yet, oldest first.
    public var openPeriods: [Period] { periodReports.keys.filter { !isClosed($0) }.sorted() }

    /// Report ids left out of billing by an `exclude` decision.
    public func excludedReports(in period: Period) -> Set<String> {
        var out = Set<String>()
        for (id, d) in reportDecisions where d.decision == .exclude {
            if d.period == period { out.insert(id) }
        }
        return out
    }

    /// The next gapless number of a kind in a year (`INV-2026-000013`).
    public func nextNumber(_ kind: DocumentKind, year: Int) -> String {
        kind.number(year: year, sequence: (lastNumber[kind.series(year: year)] ?? 0) + 1)
    }

    mutating func record(number: String) {
        let key: String, n: Int
        // `PREFIX-YEAR-SEQUENCE`, as recon numbers documents, is read without splitting it (a
        // year replays thousands); anything else as it always was.
        let utf8 = number.utf8
        if let first = utf8.firstIndex(of: UInt8(ascii: "-")), let last = utf8.lastIndex(of: UInt8(ascii: "-")),
           first != utf8.startIndex, utf8.index(after: first) < last, utf8.index(after: last) != utf8.endIndex,
           !utf8[utf8.index(after: first)..<last].contains(UInt8(ascii: "-")) {
            guard let sequence = Int(number[utf8.index(after: last)...]) else { return }
            (key, n) = (String(number[..<last]), sequence)
        } else {
            let parts = number.split(separator: "-")
            guard parts.count == 3, let sequence = Int(parts[2]) else { return }
            (key, n) = ("\(parts[0])-\(parts[1])", sequence)
        }
        lastNumber[key] = max(lastNumber[key] ?? 0, n)
    }
}

extension SiteState {
    /// The decision that settles hard flag `flagId` of `report` (SPEC §4: decided before the
    /// close): the latest about it, when it excludes the report, or was given after the flag
    /// was raised. An `approve` given before (the report was within its contract then) is no
    /// decision on a finding nobody had seen: the flag stays undecided while its month is open.
    /// A closed month's close judged its flags settled (an earlier release counted such an
    /// approve), and a closed month raises no flag on a report taken before: as it closed.
    public func hardDecision(flagId: String, report: String, period: Period) -> DecisionRecord? {
        guard let d = reportDecisions[report] ?? flagDecisions[flagId] else { return nil }
        if d.decision == .exclude || closedPeriods[period] != nil { return d }
        return hardFlagRaisedAt[flagId].flatMap { d.seq > $0 ? d : nil }
    }
}
