import Foundation

/// Keeps the month-to-date view current after every change: the drafts and review workbook
/// of each open period, and the margin summary over every period.
public struct Drafter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// - Returns: the workbooks that could not be written (a warning said why); they stay owed.
    @discardableResult
    public func refresh() -> Set<DerivedPending.Item> {
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
        // the margin summary (the longest, over every period) first. Not beside the auditor:
        // its working memory and the summary's would add up (a 10-row drop after a year of 1M
        // months: 95 -> 101 MB). The `drafts` stage is their wall time together; each
        // workbook's own time is a stage inside it.
        // What the review and the writer checks freed stays resident in their threads' arenas,
        // which the workbook jobs' threads do not reuse: handed back first, it is not added to the
        // drafts' own (a 10-row drop after a year: at most 94.7 MB against 98.0 MB over ten runs).
        FreedMemory.giveBack()
        let marginSummary = MarginSummaryWriter(session: session)
        let summary = marginSummary.gathered(open: Dictionary(uniqueKeysWithValues: open.map { ($0.period, $0.review.book) }))
        let outputs = DerivedOutput(session: session)
        // Each job says whether its workbook was written: the others stay owed.
        var jobs: [() -> Bool] = [{ Stages.time("margin-summary") { marginSummary.writeDerived(summary) } }]
        for (period, review) in open {
            let dir = "Outbox/\(period)/drafts"
            let drafts = { (side: DocumentKind, name: String) -> Bool in
                outputs.write(dir + "/" + name, comesBack: .nextIngest) { path in
                    try FileIO.makeDirectory(FileIO.parent(of: path))
                    try DraftWorkbook.write(review, side: side, site: session.state.name, to: path, paper: session.config.paper,
                                            created: session.clock.now())
                }
            }
            jobs += [{ Stages.time("invoice-drafts") { drafts(.invoice, "invoices.xlsx") } },
                     { Stages.time("payout-drafts") { drafts(.payout, "payouts.xlsx") } },
                     { Stages.time("review-draft") { outputs.writeReview(review, comesBack: .nextIngest) } }]
        }
        let workbooks = jobs.count
        // What `recon status` shows now, kept for it (``StatusCache``) from the reviews just made:
        // a job of its own (its figures read the state and the reviews, never a workbook).
        if StatusCache.keeps(session) {
            let reviews = open.map(\.review)
            jobs.append({
                Stages.time("status-cache") {
                    if let settled = try? StatusReport.settled(session: session, open: reviews) {
                        StatusCache.store(settled, session: session)
                    }
                }
                return true
            })
        }
        // The two long jobs start first, one on each core, and the short drafts follow on
        // whichever core is free: after a year the margin summary and the status cache take
        // 0.03-0.05 s each and the drafts 0.01 s; in a month of a million the drafts take longest.
        let order = [0] + (workbooks < jobs.count ? [workbooks] : []) + Array(1..<workbooks)
        // One slot a job, each written by its own job only.
        var written = [Bool](repeating: false, count: jobs.count)
        written.withUnsafeMutableBufferPointer { slots in
            Stages.time("drafts") { DispatchQueue.concurrentPerform(iterations: jobs.count) { slots[order[$0]] = jobs[order[$0]]() } }
        }
        let outcome: [DerivedPending.Item: Bool] = [.summary: written[0], .drafts: written[1..<workbooks].allSatisfy { $0 }]
        session.derivedWritten(written: outcome)
        return Set(outcome.filter { !$0.value }.keys)
    }
}

