import ReconKit

/// What the demo site holds once built, read back from its ledger, and where to look.
public struct DemoSummary: Sendable {
    /// A soft flag the auditor raised at a close.
    public struct SoftFinding: Sendable {
        public var id: String
        public var period: String
        public var subject: String
        public var score: String
        public var reason: String
    }

    /// One of the stories written into the history, and whether the soft gate flagged it.
    public struct Story: Sendable {
        public var subject: String
        public var what: String
        public var periods: [String]
        /// Periods among `periods` with a soft flag on `subject`.
        public var flaggedIn: [String]
        /// Whether a soft flag is what a person would expect.
        public var shouldFlag: Bool
    }

    /// The site folder as given.
    public var site: String
    /// Reports the ledger holds, and the drops it accepted (usage drops among them).
    public var reports = 0
    public var dropsAccepted = 0
    public var usageDrops = 0
    /// Names of drops kept in `Inbox/rejected/`.
    public var rejectedDrops: [String] = []
    /// Periods closed, oldest first, and the month left open to date.
    public var closedPeriods: [String] = []
    public var openPeriod = DemoData.current.description
    /// Issued documents per entry kind (`invoice.issued` → 280), and the first and last number of each.
    public var documents: [String: Int] = [:]
    public var numberRange: [String: (first: String, last: String)] = [:]
    /// `IMAGES_OVER_CONTRACT` flags raised, and the decisions taken on them.
    public var hardFlagsRaised = 0
    public var approved = 0
    public var excluded = 0
    /// Hard flags of the running month still waiting for a decision.
    public var hardFlagsOpen = 0
    /// `card.replaced` entries, one line each.
    public var cardsReplaced: [String] = []
    /// `rerun` entries and credit notes, one line each.
    public var reruns: [String] = []
    public var creditNotes: [String] = []
    /// Soft flags raised at closes, and what became of the stories written into the history.
    public var softFlags: [SoftFinding] = []
    public var stories: [Story] = []

    /// The summary and where to look, for people.
    public var lines: [String] {
        var out: [String] = []
        out.append("Demo site \(DemoData.siteName) built in \(site == "." ? "the current folder" : site) "
                   + "(base \(DemoData.baseCurrency), time zone \(DemoData.timezone)).")
        out.append("  \(DemoClient.roster.count) clients (INR, USD, EUR, JPY, KWD), \(DemoRadiologist.roster.count) radiologists, "
                   + "\(Digits.grouped(reports)) reports in \(usageDrops) usage drops; \(dropsAccepted) drops accepted, \(rejectedDrops.count) rejected")
        if let first = closedPeriods.first, let last = closedPeriods.last {
            out.append("  \(closedPeriods.count) periods closed (\(first) … \(last)); \(openPeriod) is open month to date")
        }
        for (kind, label) in [(DocumentKind.invoice, "invoices"), (.payout, "payout statements"), (.creditNote, "credit notes"),
                              (.payoutAdjustment, "payout adjustments")].map({ (LedgerEvent.Kind(document: $0).rawValue, $1) }) {
            guard let n = documents[kind], n > 0, let range = numberRange[kind] else { continue }
            out.append("  \(n) \(label) issued (\(range.first) … \(range.last))")
        }
        out.append("  hard flags (IMAGES_OVER_CONTRACT): \(hardFlagsRaised) raised, \(approved + excluded) decided in decisions drops "
                   + "(\(approved) approved, \(excluded) excluded), \(hardFlagsOpen) open in \(openPeriod)")
        for c in cardsReplaced { out.append("  retroactive card: \(c)") }
        for r in reruns { out.append("  \(r)") }
        for c in creditNotes { out.append("  credit note \(c)") }
        out.append("  soft gate (Isolation Forest, scored at each close): \(softFlags.count) soft flag\(softFlags.count == 1 ? "" : "s")")
        for f in softFlags {
            out.append("    \(f.period) \(f.subject) (score \(f.score)): \(f.reason)")
        }
        out.append("  stories in the history:")
        for s in stories {
            let verdict = s.flaggedIn.isEmpty ? "not flagged" : "flagged in \(s.flaggedIn.joined(separator: ", "))"
            let expected = s.shouldFlag == !s.flaggedIn.isEmpty ? "" : s.shouldFlag ? " (expected a flag)" : " (expected none)"
            out.append("    \(s.subject): \(s.what) — \(verdict)\(expected)")
        }
        out.append("")
        out.append(site == "." ? "Where to look:" : "Where to look, in \(site):")
        let last = closedPeriods.last ?? openPeriod
        let rows: [(String, String)] = [
            ("Outbox/\(last)/invoices/", "final invoices of a period (JPY without decimals, KWD with three)"),
            ("Outbox/\(last)/payouts/", "payout statements to radiologists"),
            ("Outbox/2026-09/credit-notes/", "credit notes (the rerun's; the goodwill credit is in Outbox/2026-10/)"),
            ("Outbox/statements/\(DemoData.lateClientId).xlsx", "a client's account: invoices, credit notes, total due"),
            ("Outbox/\(last)/review.xlsx", "flags, decisions, scores and problems of a period"),
            ("Outbox/\(openPeriod)/drafts/", "month-to-date draft invoices and payouts, replaced on each ingest"),
            ("Outbox/margin-summary.xlsx", "revenue, cost and margin of every period by client and modality"),
        ] + rejectedDrops.map { ("Inbox/rejected/\($0).errors.txt", "why a drop was rejected") } + [
            ("Ledger/ledger.jsonl", "the hash-chained ledger; archived drops in Ledger/drops/"),
            ("Ledger/checkpoints/", "a signed checkpoint after each close"),
            ("recon verify" + (site == "." ? "" : " --site \(site)"), "recomputes every hash, signature, drop and document"),
            ("recon status" + (site == "." ? "" : " --site \(site)"), "open periods, flags and what blocks a close"),
        ]
        // The demo operator's private key is gone: privileged commands need a key of one's own.
        let width = rows.map(\.0.count).max() ?? 0
        for (path, what) in rows {
            out.append("  " + path + String(repeating: " ", count: max(1, width - path.count + 2)) + what)
        }
        out.append("")
        out.append("The demo operator was removed and its private key deleted after the run; to run `recon rerun` or `recon credit` here, "
                   + "make a key with `recon keygen NAME` and add it with `recon operator add NAME NAME.pub`.")
        return out
    }
}
