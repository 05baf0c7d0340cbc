import Foundation

/// Keeps the month-to-date view current after every change: the drafts and review workbook
/// of each open period, and the margin summary over every period.
public struct Drafter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public func refresh() {
        let reviewer = Reviewer(session: session)
        let books = session.state.openPeriods.map { (period: $0, book: reviewer.price($0, final: false)) }
        // The margin summary needs the prices only: gathered here, it is written on the second
        // core while the auditor runs. After the entries: a workbook that cannot be written is
        // a warning (``DerivedOutput``).
        let prices = Dictionary(uniqueKeysWithValues: books.map { ($0.period, $0.book) })
        let summary = MarginSummaryWriter(session: session).gathered(open: prices)
        let summaryWritten = DispatchGroup()
        DispatchQueue.global().async(group: summaryWritten) {
            Stages.time("margin-summary") { _ = MarginSummaryWriter(session: session).writeDerived(summary) }
        }
        defer { summaryWritten.wait() }

        var open: [(period: Period, review: PeriodReview)] = []
        var provisional: [String: (subject: String, period: Period)] = [:]
        for (period, book) in books {
            let review = reviewer.audit(period, book: book, final: false)
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
        // Each period's drafts and review workbook are independent of each other: written on
        // both cores. The `drafts` stage is their wall time together; each workbook's own time
        // is a stage inside it.
        let outputs = DerivedOutput(session: session)
        var jobs: [() -> Void] = []
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
