extension DocumentRepair {
    /// Writes the derived workbooks an earlier command could not write after its entries were
    /// in (``DerivedOutput``): a closed period's review workbook, from its final review computed
    /// from checked bytes as its close computes it, and the margin summary. When nothing is
    /// missing this costs one existence check per closed period (and one for the summary). An
    /// open period's drafts and review come back with the refresh of the next ingest or decision.
    func restoreDerivedOutputs() throws {
        let site = session.site
        let closed = session.state.closedPeriods.keys.sorted()
        let reviews = closed.filter { !FileIO.exists(site.path(DerivedOutput.reviewPath($0))) }
        // A site with no period yet has no margins to show.
        let hasPeriods = !closed.isEmpty || !session.state.openPeriods.isEmpty
        let summary = hasPeriods && !FileIO.exists(site.path(MarginSummaryWriter.relative))
        guard !reviews.isEmpty || summary else { return }
        // Never a number from the cache; a closed period's review needs its settled reports.
        if reviews.isEmpty { try session.requireCheckedDrops() } else { try session.requireAllReports() }
        let outputs = DerivedOutput(session: session)
        for period in reviews {
            // On the terms its documents were billed on (a limit lowered since flagged reports its
            // close passed, and showed them blocking a month closed and invoiced).
            let terms = Rerunner(session: session).pricingOnBilledTerms(period)
            let review = Reviewer(session: session, pricing: terms).review(period, final: true)
            if outputs.writeReview(review, comesBack: .nextWritingCommand), !owed.contains(DerivedOutput.reviewPath(period)) {
                session.log.warning("wrote \(DerivedOutput.reviewPath(period)) again: it was missing (removed, or an earlier command did not finish it)")
            }
        }
        if summary && MarginSummaryWriter(session: session).writeDerived() && !owed.contains(MarginSummaryWriter.relative) {
            session.log.warning("wrote \(MarginSummaryWriter.relative) again: it was missing (removed, or an earlier command did not finish it)")
        }
    }
}
