import Foundation

/// Keeps the month-to-date view current after every change: the drafts and review workbook
/// of each open period, and the margin summary over every period.
public struct Drafter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public func refresh() {
        var open: [(period: Period, review: PeriodReview)] = []
        var provisional: [String: (subject: String, period: Period)] = [:]
        for period in session.state.openPeriods {
            let review = Reviewer(session: session).review(period, final: false)
            open.append((period, review))
            // Hard flags enter the ledger as soon as they are found: they must be decided before
            // the close. Soft findings stay provisional (review workbook only) until the close
            // raises the final ones; a decision may name their ids meanwhile. Hard flags follow the
            // drops' own entries: if they cannot be appended (a full disk), what was taken stands,
            // and the next refresh finds and records them again.
            do {
                try Stages.time("flags") { try FlagRaiser(session: session).raise(review.hardFlags.map(\.flag)) }
            } catch {
                let message = "could not record the hard flags of \(period) in the ledger: \(error). What this command "
                    + "recorded stands; the next `recon ingest` or `recon decide` records them once the cause is fixed"
                session.log.warning("\(message)")
            }
            for f in review.softFlags { provisional[f.flag.id] = (f.flag.subject, period) }
        }
        session.state.setProvisionalFlags(provisional)
        // After the entries: a workbook that cannot be written is a warning (``DerivedOutput``).
        // Every workbook here is independent of the others, so they are written on both cores,
        // the margin summary (the longest, over every period) first. The `drafts` stage is their
        // wall time together; each workbook's own time is a stage inside it.
        let outputs = DerivedOutput(session: session)
        let reviews = Dictionary(uniqueKeysWithValues: open.map { ($0.period, $0.review) })
        var jobs: [() -> Void] = [{
            Stages.time("margin-summary") { _ = MarginSummaryWriter(session: session).writeDerived(open: reviews) }
        }]
        for (period, review) in open {
            let dir = "Outbox/\(period)/drafts"
            let drafts = { (side: DocumentKind, name: String) -> Void in
                outputs.write(dir + "/" + name, comesBack: .nextIngest) { path in
                    try FileIO.makeDirectory(FileIO.parent(of: path))
                    try DraftWorkbook.write(review, side: side, site: session.state.name, to: path, paper: session.config.paper,
                                            created: session.clock.now())
                }
            }
            jobs += [{ Stages.time("invoice-drafts") { drafts(.invoice, "invoices.xlsx") } },
                     { Stages.time("payout-drafts") { drafts(.payout, "payouts.xlsx") } },
                     { Stages.time("review-draft") { _ = outputs.writeReview(review, comesBack: .nextIngest) } }]
        }
        Stages.time("drafts") { DispatchQueue.concurrentPerform(iterations: jobs.count) { jobs[$0]() } }
    }
}

/// Writes `Outbox/margin-summary.xlsx` from the ledger's closed margins and the open drafts.
public struct MarginSummaryWriter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public static let relative = "Outbox/margin-summary.xlsx"

    /// Writes it after a command's entries are in: a failure is a warning (``DerivedOutput``).
    @discardableResult
    func writeDerived(open: [Period: PeriodReview]? = nil) -> Bool {
        DerivedOutput(session: session).write(Self.relative, comesBack: .nextWritingCommand) { _ in try write(open: open) }
    }

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
                                        to: session.site.path(Self.relative), paper: session.config.paper, created: session.clock.now())
    }
}
