/// Prices a period and runs the auditor over it.
public struct Reviewer {
    let session: SiteSession
    var state: SiteState { session.state }

    public init(session: SiteSession) { self.session = session }

    /// The FX date of a period: its last day, or today while it is still running (a draft).
    public func fxDate(_ period: Period, final: Bool) -> LocalDate {
        let today = state.zone.today(now: SiteClock.now())
        return final ? period.lastDay : min(period.lastDay, today)
    }

    public func review(_ period: Period, final: Bool) -> PeriodReview {
        let indices = state.periodReports[period] ?? []
        let excluded = state.excludedReports(in: period)
        let book = PeriodPricer(context: state.pricing).price(period: period, all: state.reports, indices: indices,
                                                              excluded: excluded, fxDate: fxDate(period, final: final))
        var hard: [PeriodReview.FlagState] = []
        // The pricer already compared each billable report with its client's contract.
        for i in (book.overContractIndices + book.excludedIndices).sorted() {
            let r = state.reports[Int(i)]
            guard let flag = HardGate.flag(for: r, client: state.pricing.clients[r.clientId]) else { continue }
            hard.append(.init(flag: flag, decision: state.reportDecisions[r.id] ?? state.flagDecisions[flag.id]))
        }
        let stats = AuditorRun.stats(book: book, state: state)
        let soft = AuditorRun.softFlags(period: period, current: stats, state: state, config: session.config)
            .map { PeriodReview.FlagState(flag: $0, decision: state.flagDecisions[$0.id]) }
        return PeriodReview(period: period, book: book, hardFlags: hard, softFlags: soft,
                            blockOnSoft: session.config.blockOnSoft, stats: stats)
    }
}
