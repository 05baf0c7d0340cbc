extension DocumentRepair {
    /// Writes the derived workbooks an earlier command could not write after its entries were
    /// in (``DerivedOutput``): a closed period's review workbook, from its final review computed
    /// from checked bytes as its close computes it, and the margin summary. When nothing is
    /// missing this costs one existence check per closed period (and one for the summary). An
    /// open period's drafts and review come back with a refresh, once the repair is done
    /// (``SiteSession/repair()``).
    func restoreDerivedOutputs() throws {
        let site = session.site
        let closed = session.state.closedPeriods.keys.sorted()
        // Missing, or not the workbook recon last wrote there (an older copy put back with a
        // restore of `Outbox/`: a closed month's draft review passed for its final one).
        let stamps = DerivedStamps(site: site), kept = stamps.recorded(), canKeep = stamps.canKeep
        // Only when what is written can be recorded: else every command wrote them all again.
        let replaced = { (relative: String) in canKeep && stamps.isReplaced(relative, recorded: kept) }
        // Written before the entry that settled its period, or with no stamp: a draft review standing for the final one.
        let stale = { (period: Period) in
            canKeep && session.state.closedMargins[period].map { stamps.isStaleReview(DerivedOutput.reviewPath(period), settledAt: $0.seq,
                                                                                      recorded: kept) } == true
        }
        let reviews = closed.filter {
            !FileIO.exists(site.path(DerivedOutput.reviewPath($0))) || replaced(DerivedOutput.reviewPath($0)) || stale($0)
        }
        // A site with no period yet has no margins to show.
        let hasPeriods = !closed.isEmpty || !session.state.openPeriods.isEmpty
        let summary = hasPeriods && (!FileIO.exists(site.path(MarginSummaryWriter.relative)) || replaced(MarginSummaryWriter.relative))
        // Written by a recon that kept no stamps, or kept them in another form: taken as they
        // are, from now on compared (an upgrade is not a restore).
        stamps.keep((closed.filter { !reviews.contains($0) }.map(DerivedOutput.reviewPath) + [MarginSummaryWriter.relative])
            .filter { (kept[$0] == nil || !DerivedStamps.isOwnForm(kept[$0]!)) && FileStamp.of(site.path($0)) != nil })
        guard !reviews.isEmpty || summary else { return }
        // Never a number from the cache; a closed period's review needs its settled reports.
        if reviews.isEmpty { try session.requireCheckedDrops() } else { try session.requireAllReports() }
        let outputs = DerivedOutput(session: session)
        for period in reviews {
            // On the terms its documents were billed on (a limit lowered since flagged reports its
            // close passed, and showed them blocking a month closed and invoiced).
            let terms = Rerunner(session: session).pricingOnBilledTerms(period)
            let review = Reviewer(session: session, pricing: terms).review(period, final: true)
            let relative = DerivedOutput.reviewPath(period)
            let why = stale(period) && !replaced(relative) ? Self.staleReviewReason : Self.whyWrittenAgain(relative, replaced: replaced(relative))
            if outputs.writeReview(review, comesBack: .nextWritingCommand), !owed.contains(relative) {
                session.log.warning("wrote \(relative) again: \(why)")
            }
        }
        let why = Self.whyWrittenAgain(MarginSummaryWriter.relative, replaced: replaced(MarginSummaryWriter.relative))
        if summary && MarginSummaryWriter(session: session).writeDerived() && !owed.contains(MarginSummaryWriter.relative) {
            session.log.warning("wrote \(MarginSummaryWriter.relative) again: \(why)")
        }
    }

    /// Why a closed period's review that recon may have written as a draft is written again.
    static let staleReviewReason = "the one there was written before the period was closed or last rerun, or recon kept no record "
        + "of writing it (`.recon/` put back from a backup, or its stamps lost), so it could be the month's draft review"

    /// What a warning says of a derived workbook written again.
    static func whyWrittenAgain(_ relative: String, replaced: Bool) -> String {
        replaced ? "the one there was not the one recon last wrote (an older copy put back from a backup, or edited), so it "
            + "could show what the ledger no longer says" : "it was missing (removed, or an earlier command did not finish it)"
    }
}
