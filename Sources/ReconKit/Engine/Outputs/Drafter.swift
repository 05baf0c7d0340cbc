import Foundation

/// Keeps the month-to-date view current after every change: the drafts and review workbook
/// of each open period, and the margin summary over every period.
public struct Drafter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// - Returns: the workbooks that could not be written (a warning said why); they stay owed
    ///   (noted for the next writer) unless `notingFailures` is false.
    @discardableResult
    public func refresh(notingFailures: Bool = true) -> Set<DerivedPending.Item> {
        let reviewer = Reviewer(session: session)
        var open: [(period: Period, book: PeriodBook, gated: Reviewer.Gated)] = []
        for period in session.state.openPeriods {
            let book = reviewer.price(period, final: false)
            let gated = Stages.time("audit") { reviewer.gate(period, book: book) }
            open.append((period, book, gated))
            // Hard flags enter the ledger as soon as they are found: they must be decided before
            // the close. Soft findings stay provisional (review workbook only) until the close
            // raises the final ones; a decision may name their ids meanwhile. Hard flags follow the
            // drops' own entries: if they cannot be appended (a full disk), what was taken stands,
            // and the next refresh finds and records them again.
            do {
                try Stages.time("flags") { try FlagRaiser(session: session).raise(gated.hard.map(\.flag)) }
            } catch {
                let message = "could not record the hard flags of \(period) in the ledger: \(error). What this command "
                    + "recorded stands; the next `recon ingest` or `recon decide` records them once the cause is fixed"
                session.log.warning("\(message)")
            }
        }
        // After the entries: a workbook that cannot be written is a warning (``DerivedOutput``).
        // Every workbook here is independent of the others, so they are written on both cores,
        // the margin summary (the longest, over every period) first. The soft gate scores the
        // open periods as the first job on the other core, then the reviews and the status
        // cache that show its findings follow it; the drafts and the summary do not wait for
        // it (after a year its 0.02-0.03 s ran alone before the workbooks). The `drafts` stage
        // is their wall time together; each workbook's own time is a stage inside it.
        // What the pricing and the writer checks freed stays resident in their threads' arenas,
        // which the workbook jobs' threads do not reuse: handed back first, it is not added to the
        // drafts' own (a 10-row drop after a year: at most 94.7 MB against 98.0 MB over ten runs).
        FreedMemory.giveBack()
        let marginSummary = MarginSummaryWriter(session: session)
        let summary = marginSummary.gathered(open: Dictionary(uniqueKeysWithValues: open.map { ($0.period, $0.book) }))
        let outputs = DerivedOutput(session: session)
        let reviews = Reviews()
        // Each job says whether its workbook was written: the others stay owed. The jobs that
        // show soft findings come after the one that scores them (`softJob`), which every
        // order below hands out first: waiting for it never waits for a job not yet started.
        var jobs: [() -> Bool] = [{ Stages.time("margin-summary") { marginSummary.writeDerived(summary) } }]
        let softJob = jobs.count
        let keepsStatus = StatusCache.keeps(session)
        jobs.append({
            reviews.set(Stages.time("soft-gate") {
                open.map { p in reviewer.scored(p.period, book: p.book, gated: p.gated, final: false) }
            })
            // What `recon status` shows now, kept for it (``StatusCache``) from the reviews just made
            // (its figures read the state and the reviews, never a workbook).
            if keepsStatus {
                Stages.time("status-cache") {
                    StatusCache.store(StatusFigures(session: session, open: reviews.all), session: session)
                }
            }
            return true
        })
        for (k, p) in open.enumerated() {
            let drafts = { (side: DocumentKind) -> Bool in
                outputs.write(DerivedOutput.draftPath(p.period, side), comesBack: .nextIngest) { path in
                    try FileIO.makeDirectory(FileIO.parent(of: path))
                    try DraftWorkbook.write(p.book, side: side, site: session.state.name, to: path, paper: session.config.paper,
                                            created: session.clock.now())
                }
            }
            jobs += [{ Stages.time("invoice-drafts") { drafts(.invoice) } },
                     { Stages.time("payout-drafts") { drafts(.payout) } },
                     { Stages.time("review-draft") { outputs.writeReview(reviews.all[k], comesBack: .nextIngest) } }]
        }
        // One slot a job, each written by its own job only.
        var written = [Bool](repeating: false, count: jobs.count)
        written.withUnsafeMutableBufferPointer { slots in
            Stages.time("drafts") { DispatchQueue.concurrentPerform(iterations: jobs.count) { slots[$0] = jobs[$0]() } }
        }
        // Read by a decision that names a soft finding before the close raises it; set once no job reads the state.
        var provisional: [String: (subject: String, period: Period)] = [:]
        for review in reviews.all {
            for f in review.softFlags { provisional[f.flag.id] = (f.flag.subject, review.period) }
        }
        session.state.setProvisionalFlags(provisional)
        let outcome: [DerivedPending.Item: Bool] = [.summary: written[0], .drafts: written[(softJob + 1)...].allSatisfy { $0 }]
        if notingFailures { session.derivedWritten(written: outcome) }
        return Set(outcome.filter { !$0.value }.keys)
    }

    /// The open periods' reviews, made by one job and read by others once made.
    private final class Reviews: @unchecked Sendable {
        private let made = DispatchGroup()
        private var reviews: [PeriodReview] = []

        init() { made.enter() }

        /// Called once, by the job that makes them.
        func set(_ value: [PeriodReview]) {
            reviews = value
            made.leave()
        }

        /// The reviews, once made.
        var all: [PeriodReview] {
            made.wait()
            return reviews
        }
    }
}
