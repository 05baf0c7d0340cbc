/// Prices a period and runs the auditor over it.
public struct Reviewer {
    let session: SiteSession
    /// What pricing reads: the site's master data, cards and rates, unless a rerun bills some
    /// parties in the currency their period was issued in (``Rerunner``).
    let pricing: PricingContext?
    /// Report ids left out besides those the ledger's decisions exclude: a rerun asking what
    /// the decisions waiting in `Inbox/held/` would leave at most.
    var alsoExcluded: Set<String> = []

    public init(session: SiteSession, pricing: PricingContext? = nil) {
        self.session = session
        self.pricing = pricing
    }

    /// The FX date of a period: its last day, or today while it is still running (a draft).
    public func fxDate(_ period: Period, final: Bool) -> LocalDate {
        let today = session.state.zone.today(now: session.clock.now())
        return final ? period.lastDay : min(period.lastDay, today)
    }

    /// The period priced and flagged. Soft flags of an open period are scored now
    /// (provisional; final when `final` is set, for its close); a closed period's are the
    /// ones its close raised into the ledger, never scored again (a rerun keeps them).
    public func review(_ period: Period, final: Bool) -> PeriodReview {
        audit(period, book: price(period, final: final), final: final)
    }

    /// The period priced: its invoices, payouts, margins and pricing problems.
    public func price(_ period: Period, final: Bool) -> PeriodBook {
        let state = session.state
        precondition(!state.history.holds(period), "a settled period's reports are on disk: requireAllReports() before its review")
        let indices = state.periodReports[period] ?? []
        let excluded = alsoExcluded.isEmpty ? state.excludedReports(in: period) : state.excludedReports(in: period).union(alsoExcluded)
        return Stages.time("price") {
            PeriodPricer(context: pricing ?? state.pricing).price(period: period, all: state.reports, indices: indices,
                                                       excluded: excluded, fxDate: fxDate(period, final: final))
        }
    }

    /// The priced period audited: the hard gate over its reports, its statistics and its soft flags.
    public func audit(_ period: Period, book: PeriodBook, final: Bool) -> PeriodReview {
        Stages.time("audit") {
            scored(period, book: book, gated: gate(period, book: book), final: final)
        }
    }

    /// A priced period's hard flags and statistics (``gate(_:book:)``).
    typealias Gated = (hard: [PeriodReview.FlagState], stats: [PartyPeriodStats])

    /// A flagged report as the review prints it beside the flag's reason.
    static func reportDetails(_ r: Report) -> String {
        "\(r.modality), \(r.urgency.rawValue), read by \(r.radiologistId) on \(r.localDate)"
    }

    /// The hard gate over a priced period's reports, and its statistics: what its soft flags
    /// are scored from (``softFlags(_:stats:final:)``), which may run beside other work.
    func gate(_ period: Period, book: PeriodBook) -> Gated {
        let state = session.state
        // The contracts the reports are judged against: those it prices with (a rerun's are
        // those its period closed under).
        let clients = (pricing ?? state.pricing).clients
        var hard: [PeriodReview.FlagState] = []
        // The pricer already compared each billable report with its client's contract.
        for i in (book.overContractIndices + book.excludedIndices).sorted() {
            let r = state.reports[Int(i)]
            guard var flag = HardGate.flag(for: r, client: clients[r.clientId]) else { continue }
            // Raised against another limit (lowered since): as raised and decided, the limit now beside it.
            if let raised = state.hardFlagReasons[flag.id], raised != flag.reason, let client = clients[r.clientId] {
                flag.reason = raised + "; the contract of \(client.id) " + allows(client)
            }
            hard.append(.init(flag: flag, decision: state.hardDecision(flagId: flag.id, report: r.id, period: period),
                              report: Self.reportDetails(r)))
        }
        // A hard flag the ledger raised must be decided before the close (SPEC §4), also when
        // the client's contract has since been raised above the report's images.
        let found = Set(hard.map(\.flag.id))
        for (id, raised) in state.raisedFlags.sorted(by: { $0.key < $1.key })
        where raised.severity == .hard && raised.period == period && !found.contains(id) {
            let report = (try? state.report(raised.subject)) ?? nil
            let images = report.map { "\($0.imageCount) images in one case" } ?? "raised"
            let limit = report.flatMap { clients[$0.clientId] }
                .map { "; the contract of \($0.id) " + allows($0) + ", but the flag was raised and stands until decided" }
            let flag = AuditFlag(id: id, severity: .hard, code: HardGate.code, subject: raised.subject, period: period,
                                 reason: images + (limit ?? "; it stands until decided"), score: "1")
            hard.append(.init(flag: flag, decision: state.hardDecision(flagId: id, report: raised.subject, period: period),
                              report: report.map(Self.reportDetails)))
        }
        return (hard, AuditorRun.stats(book: book, state: state))
        /// What `client`'s contract allows on the terms the period is priced on: those in force
        /// now, or (a rerun on the terms the period was closed on) those, with now's beside them
        /// — a rerun as closed said "now allows 5" where 5 was the close's limit and 2 now's.
        func allows(_ client: Client) -> String {
            let now = state.pricing.clients[client.id]?.maxImagesPerCase
            guard let now, now != client.maxImagesPerCase else { return "now allows \(client.maxImagesPerCase)" }
            return "allowed \(client.maxImagesPerCase) on the terms \(period) was closed on (\(now) now)"
        }
    }

    /// The period's soft flags: a closed period's as its close raised them, an open one's
    /// scored now against the history before it; and how many of its parties the gate judged.
    func softFlags(_ period: Period, stats: [PartyPeriodStats], final: Bool)
        -> (flags: [PeriodReview.FlagState], coverage: [SoftGate.Coverage], openBefore: [PartyPeriodStats]) {
        let state = session.state, config = session.config
        let softFlags: [AuditFlag], history: [PartyPeriodStats]
        var openBefore: [PartyPeriodStats] = []
        if state.closedPeriods[period] != nil {
            // As the close judged it, but for open months before it then (a rerun never re-scores).
            history = AuditorRun.history(period: period, current: stats, state: state, config: config)
            softFlags = withFeatures(state.raisedSoftFlags[period] ?? [], period: period, history: history)
        } else {
            let elapsed = final ? 1.0 : AuditorRun.elapsedFraction(of: period, today: paceDay(of: period))
            history = AuditorRun.history(period: period, current: stats, elapsed: elapsed, state: state, config: config,
                                         earlierOpen: { openBefore = earlierOpenStats(before: period); return openBefore })
            softFlags = AuditorRun.softFlags(period: period, history: history, state: state, config: config)
        }
        let coverage = SoftGate.coverage(history: history, period: period.description, config: AuditorRun.gateConfig(config))
        return (softFlags.map { PeriodReview.FlagState(flag: $0, decision: state.flagDecisions[$0.id]) }, coverage, openBefore)
    }

    /// The day a running month's volume is read up to: today, or its latest report's day when
    /// that is later (reports dated ahead of the site's clock: a month's export taken on its first
    /// day was read as a whole month's volume in one day, ×31). Read only while the month runs.
    func paceDay(of period: Period) -> LocalDate {
        let state = session.state
        let today = state.zone.today(now: session.clock.now())
        guard today < period.lastDay, !state.history.holds(period) else { return today }
        var latest = today.dayNumber
        for i in state.periodReports[period] ?? [] { latest = max(latest, state.reports[Int(i)].localDate.dayNumber) }
        return LocalDate(dayNumber: latest)
    }

    /// The ledger's soft flags of a closed period with the ratios behind each, which its entries
    /// do not hold: the close's own review showed them, and one written again (a review put back
    /// after a close was interrupted, or deleted) must show the same. They are what the gate finds
    /// again on the same history; the flags and their scores stay the ledger's.
    private func withFeatures(_ raised: [AuditFlag], period: Period, history: [PartyPeriodStats]) -> [AuditFlag] {
        guard raised.contains(where: { $0.features.isEmpty }), !history.isEmpty else { return raised }
        let found = AuditorRun.softFlags(period: period, history: history, state: session.state, config: session.config)
        let features = Dictionary(found.map { ($0.id, $0.features) }, uniquingKeysWith: { a, _ in a })
        return raised.map { f in
            var f = f
            if f.features.isEmpty, let measured = features[f.id] { f.features = measured }
            return f
        }
    }

    /// The statistics of the open periods before `period`, as their reports stand now: a month
    /// still open is part of the history a later month is judged against (its growth against
    /// the month before), not a month of no reports.
    func earlierOpenStats(before period: Period) -> [PartyPeriodStats] {
        session.state.openPeriods.filter { $0 < period }.flatMap { p in
            AuditorRun.stats(book: price(p, final: true), state: session.state)
        }
    }

    /// The review of a priced and gated period, its soft flags scored (``softFlags(_:stats:final:)``).
    func scored(_ period: Period, book: PeriodBook, gated: Gated, final: Bool) -> PeriodReview {
        let (soft, coverage, openBefore) = softFlags(period, stats: gated.stats, final: final)
        var review = review(period, book: book, gated: gated, soft: soft, final: final)
        review.softCoverage = coverage
        review.openMonthsScored = openBefore
        return review
    }

    /// The review of a priced period from its gate and soft flags.
    func review(_ period: Period, book: PeriodBook, gated: Gated,
                soft: [PeriodReview.FlagState], final: Bool) -> PeriodReview {
        let (hard, stats) = gated
        let closed = session.state.closedPeriods[period] != nil
        let blockOnSoft = closed ? session.state.closedBlockOnSoft[period] ?? session.config.blockOnSoft : session.config.blockOnSoft
        return PeriodReview(period: period, book: book, hardFlags: hard, softFlags: soft,
                            blockOnSoft: blockOnSoft, stats: stats, softFlagsFinal: final || closed)
    }

    /// Records the soft findings of every open period by id (they are not ledger entries),
    /// so a decision may name one before the close raises it. Returns the open periods' hard
    /// flags the ledger does not hold yet (usage taken earlier in this command raises them).
    @discardableResult
    public func loadProvisionalFlags() -> [AuditFlag] {
        var found: [String: (subject: String, period: Period)] = [:]
        var hard: [AuditFlag] = []
        for period in session.state.openPeriods {
            let review = review(period, final: false)
            for f in review.softFlags { found[f.flag.id] = (f.flag.subject, period) }
            hard += review.hardFlags.map(\.flag).filter { session.state.raisedFlags[$0.id] == nil }
        }
        session.state.setProvisionalFlags(found)
        return hard
    }
}
