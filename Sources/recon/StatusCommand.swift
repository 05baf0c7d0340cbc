import ArgumentParser
import ReconKit

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Open and closed periods, draft totals, undecided flags, held and rejected drops, ledger head.")

    @OptionGroup var options: SiteOptions

    @Flag(help: "Print as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let report = try Self.report(options)
            if json { printJSON(report.json) } else { print(report.text, terminator: "") }
            return 0
        }
    }

    /// The figures from the site's status cache when it describes the site as it is, else
    /// from the ledger (and then kept there for the next time).
    static func report(_ options: SiteOptions) throws -> StatusReport {
        let site = options.siteValue, log = options.log
        // A clock set back is refused before the cache is looked at (its figures are a day's).
        if let headAt = LedgerFile.lastEntryAt(of: site) { try SiteSession.refuseClock(options.clock.now(), before: headAt) }
        if let settled = StatusCache.settled(site: site, clock: try options.clock, warn: { log.warning("\($0)") }) {
            return StatusReport(settled: settled, site: site)
        }
        // Figures are shown, and kept, only from a ledger that checks as a writer's does:
        // checkpoints, privileged entries, documents (a ledger rewritten behind its checkpoint,
        // or an unsigned credit note appended, would show a debt that is not owed).
        let session = try SiteSession.openedChecking(site) {
            try SiteSession(site: site, writing: false, checked: true, asOfToday: true, log: log, clock: options.clock)
        }
        keepUntilExit(session)
        let settled = try StatusReport.settled(session: session)
        // A command killed after its append: what it left owed is said (each time: not kept).
        let owed = session.owedByAnInterruptedCommand
        if session.missingDocumentCount != 0, let empty = UnlistedFolders.emptyOutboxLink(in: site, entries: session.ledger.entries) { throw empty }
        if !owed.isEmpty {
            let named = session.checkpointOwed != nil || !(session.missingDocumentCount == 0)
            let message = owed.joined(separator: ", and ") + " (" + (session.missingDocumentCount > 0 ? "a document deleted or moved since, or " : "")
                + "a command ended after recording entries, before writing them: interrupted, or refused part way); the next "
                + "writing command puts it right (`recon watch --once`, say)" + (named ? "; `recon verify` names it meanwhile" : "")
            log.warning("\(message)")
        }
        // A closed month's review, an open month's drafts or the summary put back from an older
        // copy: said, and written again by the next writer (it passed for the current one).
        let replaced = DerivedStamps.replaced(in: site, closed: Array(session.state.closedPeriods.keys), open: session.state.openPeriods,
                                              settledAt: session.state.closedMargins.mapValues(\.seq))
        if !replaced.isEmpty {
            let message = replaced.joined(separator: ", ") + (replaced.count == 1 ? " is not the workbook" : " are not the workbooks")
                + " recon last wrote (an older copy put back from a backup, or edited), and may show what the ledger no longer "
                + "says; the next writing command writes \(replaced.count == 1 ? "it" : "them") again (`recon watch --once`, say)"
            log.warning("\(message)")
        }
        let missing = DerivedStamps.missingDrafts(in: site, open: session.state.openPeriods)
        if !missing.isEmpty {
            let message = "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing (deleted, or left out of a "
                + "restore); the next writing command writes \(missing.count == 1 ? "it" : "them") again (`recon watch --once`, say)"
            log.warning("\(message)")
        }
        // Figures of a ledger with an unfinished append are not kept: the warning is said each time.
        if session.ledger.halfWrittenBytes == 0 && owed.isEmpty { StatusCache.store(settled, session: session) }
        var report = StatusReport(settled: settled, site: site)
        // A drop the ledger lost (Ledger/ restored alone from an older backup) blocks every close
        // and rerun, as they say: said too when no month is open to list it under.
        let lost = Closer.lostDrops(session, then: "then close or rerun")
        report.siteBlockers += lost
        for line in lost { log.warning("\(line)") }
        report.owed = owed
        report.checkpointOwed = session.checkpointOwed
        return report
    }
}
