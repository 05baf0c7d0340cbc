import Foundation
import ReconKit
import Logging

/// `recon demo`: builds a sample site with a year of realistic history and runs it end to end.
///
/// The site (`recon-demo`, base INR, Asia/Kolkata) is replayed on the dates things would have
/// happened, with the site clock pinned to each moment: master data and cards on 2025-11-01,
/// usage in two drops a month (the 16th and the 1st of the next month), FX rates monthly,
/// decisions on the month's over-contract reports in a `decisions` drop, and the close on the
/// 2nd of the next month — twelve periods, 2025-11 … 2026-10. Late September reports are held
/// and applied by a rerun (credit note, new invoice, payout adjustments), an October invoice gets
/// a goodwill credit, and November 2026 stays open month to date, its drafts in
/// `Outbox/2026-11/drafts/`. Each step opens its own session, as a command would.
///
/// The privileged steps are signed by an operator whose key pair is made for the run: the
/// public half is added to the ledger (`operator.added`), the private half lives in a temporary folder outside
/// the site and is deleted when the demo ends.
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
    /// The demo operator's private key file, outside the site, for this run only.
    private var operatorKeyFile: String?
    /// The moment of the history being replayed; each step's sessions read it as their clock.
    private var now: Date?
    var clock: SiteClock { now.map(SiteClock.fixed) ?? .system }

    /// The stop signal asked for since the demo began, if any: looked at before each step.
    public var stopAsked: () -> Int32? = { nil }

    /// The operator who signs the demo's rerun and credit.
    static let operatorName = "demo-operator"

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
    /// Each step's sessions read a clock pinned to that moment of the history.
    ///
    /// Throws ``ReconFailure`` `.refused` when the folder holds another site, and `.usage`
    /// (an internal error) when a step of the demo does not go as written.
    public func run() throws -> DemoSummary {
        let building = try DemoBuildLock(folder: site.root, timeout: SiteSession.lockTimeout)
        defer { withExtendedLifetime(building) {} }
        try prepare()
        defer {
            now = nil
            discardOperatorKey()
        }
        let timeline = DemoEvent.timeline
        progress("building site \(DemoData.siteName) in \(site.root): \(DemoData.firstPeriod.firstDay) … "
                 + "\(DemoData.current)-\(Digits.padded(DemoData.currentThroughDay + 1, 2)), \(timeline.count) steps")
        for (step, event) in timeline.enumerated() {
            // Asked to stop (Ctrl-C, SIGTERM): between steps, each a command done whole.
            if let signal = stopAsked() { throw DemoStopped(signal: signal, stepsDone: step, of: timeline.count, through: now) }
            now = event.at
            switch event.action {
            case .initialise:
                _ = try SiteInitializer.initialise(site, name: DemoData.siteName, baseCurrency: DemoData.baseCurrency,
                                                   timezone: DemoData.timezone, clock: clock)
                try addOperator()
            case .ingest(let drops): try ingest(drops)
            case .decide(let period): try decide(period)
            case .close(let period): try close(period)
            case .rerun(let period, let reason): try rerun(period, reason: reason)
            case .credit(let client, let period, let amount, let reason):
                try credit(client: client, period: period, amount: amount, reason: reason)
            case .statement(let client): try statement(client)
            case .payments(let period): try payments(period)
            }
        }
        try removeOperator()
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
            case .accepted(let name, _, _, _, _):
                if case .clientCard(.y2026Agreed)? = named[name] {
                    progress("\(dateText()): the 2026-01-01 client card as agreed at the end of January replaces the one dropped in December (\(name))")
                }
            case .rejected(let name, let problems, _):
                guard case .rejectedUsage? = named[name] else {
                    throw ReconFailure.usage("the demo's drop \(name) was rejected: \(problems.prefix(3).joined(separator: "; "))")
                }
                progress("\(dateText()): \(name) rejected as intended; see Inbox/rejected/\(name).errors.txt")
            case .held(let name, let periods, _):
                guard case .lateUsage? = named[name] else {
                    throw ReconFailure.usage("the demo's drop was not applied: \(outcome.summary)")
                }
                progress("\(dateText()): \(name) held in Inbox/held — it touches closed "
                         + periods.map(\.description).joined(separator: ", ") + " and waits for `recon rerun`")
            case .duplicate, .ignored, .gone, .wouldBeAccepted:
                throw ReconFailure.usage("the demo's drop was not applied: \(outcome.summary)")
            }
        }
    }

    /// Every client pays what is open on its invoices of `period`, naming the invoice, except
    /// Lotus, whose bank sends one transfer without the invoice number (it pays the oldest due).
    private func payments(_ period: Period) throws {
        let session = try SiteSession(site: site, writing: false, log: log, clock: clock)
        let state = session.state
        guard let now else { return }
        let day = state.zone.localDate(of: Timestamp(nanoseconds: Int64(now.timeIntervalSince1970) * 1_000_000_000))
        var rows: [[String]] = []
        for invoice in state.issued where invoice.kind == .invoice && invoice.period == period {
            var open = invoice.total
            for c in state.issued where c.kind == .creditNote && c.refersTo == invoice.number { open = try open - c.total }
            guard open > .zero, !state.payments.contains(where: { $0.invoice == invoice.number }) else { continue }
            let named = invoice.partyId != "C-LOTUS-BLR"
            rows.append(["RCPT-\(invoice.number.dropFirst(4))", invoice.partyId, day.description, open.description,
                         invoice.currency.code, "transfer \(day.description.replacingOccurrences(of: "-", with: ""))",
                         named ? invoice.number : ""])
        }
        guard !rows.isEmpty else { return }
        let header = ["payment_id", "client_id", "received_on", "amount", "currency", "reference", "invoice"]
        let path = try put("payments-\(day).csv", DemoCSV.text(header: header, rows: rows))
        try ingest(paths: [path], named: [:])
        progress("\(dateText()): \(rows.count) payments received for \(period) invoices")
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
            result = try withSession { session in
                let result = try Closer(session: session).close(period)
                logIssued(result.documents, session: session)
                return result
            }
        } catch let failure as ReconFailure {
            throw ReconFailure.usage("the demo could not close \(period): \(failure.message)")
        }
        for f in result.review.hardFlags + result.review.softFlags {
            log.info("\(f.flag.id) \(f.flag.code) \(f.flag.subject) (\(period)): \(f.decision.map { "\($0.decision.rawValue)d" } ?? "raised")")
        }
        months[period] = nil
        let book = result.review.book
        let hard = result.review.hardFlags
        let excluded = hard.filter { $0.decision?.decision == .exclude }.count
        let softText = result.review.softFlags.isEmpty ? "" : ", \(result.review.softFlags.count) soft flagged"
        progress("\(period) closed \(dateText()): \(book.billableReports) reports billed, \(hard.count) over contract "
                 + "(\(hard.count - excluded) approved, \(excluded) excluded)\(softText); \(result.documents.count) documents "
                 + (result.documents.first.map { "\($0) … \(result.documents.last ?? $0)" } ?? ""))
    }

    /// `recon rerun`: applies the held drop, issues credit notes, new invoices and payout adjustments.
    private func rerun(_ period: Period, reason: String) throws {
        let key = try operatorKey()
        let result = try withSession { session in
            let result = try Rerunner(session: session).rerun(period, reason: reason, keyFile: key)
            logIssued(result.documents, session: session)
            return result
        }
        progress("\(period) rerun \(dateText()) by \(DemoSite.operatorName): applied \(result.appliedDrops.joined(separator: ", ")); "
                 + "issued \(result.documents.joined(separator: ", "))")
    }

    /// `recon credit` on the client's invoice of `period`.
    private func credit(client: String, period: Period, amount: String, reason: String) throws {
        let key = try operatorKey()
        let (invoice, result) = try withSession { session -> (String, Creditor.Result) in
            guard let invoice = session.state.issued.first(where: { $0.kind == .invoice && $0.partyId == client && $0.period == period })
            else { throw ReconFailure.usage("the demo found no \(period) invoice of \(client) to credit") }
            let result = try Creditor(session: session).credit(invoice: invoice.number, amount: amount, reason: reason, keyFile: key)
            logIssued([result.number], session: session)
            return (invoice.number, result)
        }
        progress("\(dateText()): \(result.number) credits \(amount) \(result.currency) on \(invoice) (\(reason))")
    }

    /// `recon statement`: the client's account, every invoice and credit note and the total due.
    private func statement(_ client: String) throws {
        let session = try SiteSession(site: site, writing: false, log: log, clock: clock)
        let writer = StatementWriter(session: session)
        try writer.write(client, asOf: writer.today)
    }

    // MARK: The operator

    /// Makes the demo operator's key pair and adds it to the ledger with the site key.
    private func addOperator() throws {
        let temporary = FileManager.default.temporaryDirectory.path
        DemoSite.removeAbandonedOperatorKeys(in: temporary)
        // Named by this process, so a demo killed before it deleted the key is told by the next.
        let dir = temporary + "/" + DemoSite.operatorKeyPrefix + "\(getpid())-" + UUID().uuidString
        try FileIO.makePrivateDirectory(dir)
        let key = try SigningKey.generate(name: DemoSite.operatorName)
        let file = dir + "/" + DemoSite.operatorName + ".key"
        try key.write(to: file)
        operatorKeyFile = file
        _ = try withSession { try OperatorAdmin(session: $0).add(name: DemoSite.operatorName, publicKey: key.verifierKey.text, keyFile: nil) }
        var config = try SiteConfig.parse(String(decoding: try FileIO.read(site.configFile), as: UTF8.self))
        config.seller = DemoData.seller
        try FileIO.writeAtomically(site.configFile, Array(config.text.utf8))
    }

    /// The folders the demo keeps its operator's key in: `recon-demo-operator-PID-UUID`.
    static let operatorKeyPrefix = "recon-demo-operator-"

    /// Removes the operator keys of demos killed before they deleted them (their process is
    /// gone): a key left behind could sign for the half-built demo it was listed on.
    static func removeAbandonedOperatorKeys(in temporary: String) {
        for name in FileIO.list(temporary) where name.hasPrefix(operatorKeyPrefix) {
            let rest = name.dropFirst(operatorKeyPrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            // Only what the demo put there: its key, then the folder once empty (rmdir).
            let folder = temporary + "/" + name
            guard !FileIO.isSymbolicLink(folder), FileIO.isDirectory(folder) else { continue }
            FileIO.remove(folder + "/" + DemoSite.operatorName + ".key")
            rmdir(folder)
        }
    }

    /// The demo operator's key is deleted after the run, so it leaves the ledger's operators
    /// too: the site key can then add the site's first real operator.
    private func removeOperator() throws {
        let key = try operatorKey()
        _ = try withSession { try OperatorAdmin(session: $0).remove(name: DemoSite.operatorName, keyFile: key) }
    }

    private func operatorKey() throws -> String {
        guard let file = operatorKeyFile else { throw ReconFailure.usage("the demo's operator key was not made") }
        return file
    }

    /// Deletes the operator's private key and its folder.
    private func discardOperatorKey() {
        guard let file = operatorKeyFile else { return }
        try? FileManager.default.removeItem(atPath: FileIO.parent(of: file))
        operatorKeyFile = nil
    }

    // MARK: Helpers

    /// Under `--verbose`, each document issued: its number, party and total.
    private func logIssued(_ numbers: [String], session: SiteSession) {
        let wanted = Set(numbers)
        for d in session.state.issued where wanted.contains(d.number) {
            log.info("issued \(d.number) (\(d.kind.rawValue), \(d.partyId), \(d.period)): \(d.total) \(d.currency)")
        }
    }

    /// Runs one command's work in its own writing session; the session (and the site lock) ends with it.
    private func withSession<T>(_ body: (SiteSession) throws -> T) throws -> T {
        let session = try SiteSession(site: site, writing: true, log: log, clock: clock)
        try session.repair()
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
        case .lateUsage: return data.lateUsageCSV()
        }
    }

    /// The pinned moment, as the progress lines show it.
    private func dateText() -> String {
        guard let now else { return "" }
        return "on " + String(SiteClock.text(now).prefix(10))
    }
}
