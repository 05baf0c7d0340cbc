import Foundation
import Logging

/// `recon demo`: builds a sample site with a year of realistic history and runs it end to end.
///
/// The site (`recon-demo`, base INR, Asia/Kolkata) is replayed on the dates things would have
/// happened, with the site clock pinned to each moment: master data and cards on 2025-11-01,
/// usage in two drops a month (the 16th and the 1st of the next month), FX rates monthly,
/// decisions on the month's over-contract reports in a `decisions` drop, and the close on the
/// 2nd of the next month — twelve periods, 2025-11 … 2026-10. November 2026 stays open month to
/// date, its drafts in `Outbox/2026-11/drafts/`. Each step opens its own session, as a command would.
///
/// A folder that holds another site is never touched: the demo refuses. A previous demo is
/// rebuilt from scratch (its `Inbox/`, `Outbox/` and `Ledger/` contents and `recon.toml` are
/// removed; `README.md` files stay).
public final class DemoSite {
    public let site: Site
    let log: Logger
    let progress: (String) -> Void
    let data = DemoData()
    /// Usage of months not closed yet, generated once.
    private var months: [Period: DemoData.Month] = [:]
    var usageCount = 0

    /// Who decides hard flags at the demo site.
    static let decider = "Priya Raman (finance)"

    /// - Parameters:
    ///   - log: the sessions' log (drops, flags, documents as they happen).
    ///   - progress: one line per closed period and notable event, for people watching.
    public init(site: Site, log: Logger, progress: @escaping (String) -> Void = { _ in }) {
        self.site = site
        self.log = log
        self.progress = progress
    }

    /// Builds the site anew and returns what it holds.
    ///
    /// Throws ``ReconFailure`` `.refused` when the folder holds another site, and `.usage`
    /// (an internal error) when a step of the demo does not go as written.
    public func run() throws -> DemoSummary {
        try prepare()
        defer { SiteClock.pinned = nil }
        let timeline = DemoEvent.timeline
        progress("building site \(DemoData.siteName) in \(site.root): \(DemoData.firstPeriod.firstDay) … "
                 + "\(DemoData.current)-\(Digits.padded(DemoData.currentThroughDay + 1, 2)), \(timeline.count) steps")
        for event in timeline {
            SiteClock.pinned = event.at
            switch event.action {
            case .initialise:
                _ = try SiteInitializer.initialise(site, name: DemoData.siteName, baseCurrency: DemoData.baseCurrency,
                                                   timezone: DemoData.timezone)
            case .ingest(let drops): try ingest(drops)
            case .decide(let period): try decide(period)
            case .close(let period): try close(period)
            }
        }
        return try summarise()
    }

    // MARK: Steps

    /// Writes each drop as finance staff do (`NAME.part`, then renamed) and ingests them in one command.
    private func ingest(_ drops: [DemoDrop]) throws {
        var named: [String: DemoDrop] = [:]
        var paths: [String] = []
        for drop in drops {
            paths.append(try put(drop.fileName, content(of: drop)))
            named[drop.fileName] = drop
        }
        try ingest(paths: paths, named: named)
    }

    private func ingest(paths: [String], named: [String: DemoDrop]) throws {
        let sorted = paths.sorted(by: Ingestor.processingOrder)
        let outcomes = try withSession { try Ingestor(session: $0).ingest(sorted) }
        for outcome in outcomes {
            switch outcome {
            case .accepted(let name, let kind, _, _, _):
                if kind == .usage { usageCount += 1 }
                if case .clientCard(.y2026Agreed)? = named[name] {
                    progress("\(dateText()): the 2026-01-01 client card as agreed in February replaces the one dropped in December (\(name))")
                }
            case .rejected(let name, let problems):
                guard case .rejectedUsage? = named[name] else {
                    throw ReconFailure.usage("the demo's drop \(name) was rejected: \(problems.prefix(3).joined(separator: "; "))")
                }
                progress("\(dateText()): \(name) rejected as intended; see Inbox/rejected/\(name).errors.txt")
            case .held, .duplicate, .ignored:
                throw ReconFailure.usage("the demo's drop was not applied: \(outcome.summary)")
            }
        }
    }

    /// Puts a drop into the Inbox: written as `NAME.part`, then renamed into place.
    private func put(_ name: String, _ text: String) throws -> String {
        try FileIO.makeDirectory(site.inbox)
        let path = site.inbox + "/" + name
        try FileIO.writeAtomically(path + ".part", Array(text.utf8))
        try FileIO.renameDurably(path + ".part", to: path)
        return path
    }

    /// Finance decides the period's over-contract reports in one `decisions` drop, naming each
    /// `IMAGES_OVER_CONTRACT` flag by the id the review workbook shows (stable per report).
    private func decide(_ period: Period) throws {
        let month = self.month(period)
        let maxima = Dictionary(uniqueKeysWithValues: data.clients.map { ($0.id, $0.maxImagesPerCase) })
        let rows = month.reports.filter { $0.images > maxima[$0.clientId] ?? .max }.map { r -> [String] in
            let intent = month.intended[r.id] ?? (.approve, "reviewed with the client; approved")
            return [HardGate.flagId(reportId: r.id), intent.decision.rawValue, DemoSite.decider, intent.note]
        }
        guard !rows.isEmpty else { return }
        let path = try put("decisions-\(period).csv", DemoCSV.text(header: ["subject", "decision", "by", "note"], rows: rows))
        try ingest(paths: [path], named: [:])
    }

    private func close(_ period: Period) throws {
        let result: Closer.Result
        do {
            result = try withSession { try Closer(session: $0).close(period) }
        } catch let failure as ReconFailure {
            throw ReconFailure.usage("the demo could not close \(period): \(failure.message)")
        }
        months[period] = nil
        let book = result.review.book
        let hard = result.review.hardFlags
        let excluded = hard.filter { $0.decision?.decision == .exclude }.count
        let softText = result.review.softFlags.isEmpty ? "" : ", \(result.review.softFlags.count) soft flagged"
        progress("\(period) closed \(dateText()): \(book.billableReports) reports billed, \(hard.count) over contract "
                 + "(\(hard.count - excluded) approved, \(excluded) excluded)\(softText); \(result.documents.count) documents "
                 + (result.documents.isEmpty ? "" : "\(result.documents.first!) … \(result.documents.last!)"))
    }

    // MARK: Helpers

    /// Runs one command's work in its own writing session; the session (and the site lock) ends with it.
    private func withSession<T>(_ body: (SiteSession) throws -> T) throws -> T {
        let session = try SiteSession(site: site, writing: true, log: log)
        return try withExtendedLifetime(session) { try body(session) }
    }

    private func month(_ period: Period) -> DemoData.Month {
        if let m = months[period] { return m }
        let m = data.month(period)
        months[period] = m
        return m
    }

    private func content(of drop: DemoDrop) -> String {
        switch drop {
        case .clients(let young): return data.clientsCSV(young: young)
        case .radiologists: return data.radiologistsCSV()
        case .providerCard(.y2025): return DemoData.providerCardCSV(DemoData.providerCard2025, effectiveFrom: "2025-01-01")
        case .providerCard(.y2026): return DemoData.providerCardCSV(DemoData.providerCard2026, effectiveFrom: "2026-04-01")
        case .clientCard(.y2025): return DemoData.clientCardCSV(DemoData.clientCard2025, effectiveFrom: "2025-01-01")
        case .clientCard(.y2026): return DemoData.clientCardCSV(DemoData.clientCard2026, effectiveFrom: "2026-01-01")
        case .clientCard(.y2026Agreed): return DemoData.clientCardCSV(DemoData.clientCard2026Agreed, effectiveFrom: "2026-01-01")
        case .fx(let p): return DemoData.fxCSV(p)
        case .usage(let p, let days): return month(p).csv(days: days)
        case .rejectedUsage: return data.rejectedUsageCSV()
        }
    }

    /// The pinned moment, as the progress lines show it.
    private func dateText() -> String {
        guard let now = SiteClock.pinned else { return "" }
        return "on " + String(SiteClock.text(now).prefix(10))
    }
}
