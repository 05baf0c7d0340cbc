import Foundation

/// Keeps the month-to-date view current after every change: the drafts and review workbook
/// of each open period, and the margin summary over every period.
public struct Drafter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public func refresh() throws {
        var open: [Period: PeriodReview] = [:]
        var provisional: [String: (subject: String, period: Period)] = [:]
        for period in session.state.openPeriods {
            let review = Stages.time("price+audit") { Reviewer(session: session).review(period, final: false) }
            open[period] = review
            // Hard flags enter the ledger as soon as they are found: they must be decided before
            // the close. Soft findings stay provisional (review workbook only) until the close
            // raises the final ones; a decision may name their ids meanwhile.
            try Stages.time("flags") { try FlagRaiser(session: session).raise(review.hardFlags.map(\.flag)) }
            for f in review.softFlags { provisional[f.flag.id] = (f.flag.subject, period) }
            try Stages.time("drafts") {
                let dir = session.site.path("Outbox/\(period)/drafts")
                try FileIO.makeDirectory(dir)
                try DraftWorkbook.write(review, side: .invoice, site: session.state.name, to: dir + "/invoices.xlsx",
                                        paper: session.config.paper, created: session.clock.now())
                try DraftWorkbook.write(review, side: .payout, site: session.state.name, to: dir + "/payouts.xlsx",
                                        paper: session.config.paper, created: session.clock.now())
                try ReviewWorkbook.write(review, state: session.state, to: session.site.path("Outbox/\(period)/review.xlsx"),
                                         paper: session.config.paper, created: session.clock.now())
            }
        }
        session.state.provisionalFlags = provisional
        try Stages.time("margin-summary") { try MarginSummaryWriter(session: session).write(open: open) }
    }
}

/// Writes `Outbox/margin-summary.xlsx` from the ledger's closed margins and the open drafts.
public struct MarginSummaryWriter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public func write(open: [Period: PeriodReview]? = nil) throws {
        let state = session.state
        var rows: [(period: Period, status: String, row: MarginRow)] = []
        for (p, list) in state.closedMargins { for r in list { rows.append((p, "closed", r)) } }
        let openReviews = open ?? Dictionary(uniqueKeysWithValues: state.openPeriods.map {
            ($0, Reviewer(session: session).review($0, final: false))
        })
        for (p, review) in openReviews {
            for m in review.book.margins { for r in m.byModality { rows.append((p, "draft", r)) } }
        }
        rows.sort { ($0.period, $0.row.clientId, $0.row.modality) < ($1.period, $1.row.clientId, $1.row.modality) }
        let names = state.pricing.clients.mapValues(\.name)
        try MarginSummaryWorkbook.write(rows: rows, base: state.base, site: state.name, clientNames: names,
                                        to: session.site.path("Outbox/margin-summary.xlsx"), paper: session.config.paper, created: session.clock.now())
    }
}
