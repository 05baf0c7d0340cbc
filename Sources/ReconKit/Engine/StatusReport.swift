/// `recon status`: what a finance lead wants to know at a glance.
///
/// The ledger's head and newest signed checkpoint; closed periods with what their close
/// issued; each open period's draft totals per currency, its month-to-date margin in the base
/// currency, undecided flags and what blocks its close; and the drops waiting in the Inbox,
/// held for a rerun or rejected (with how many problems their `.errors.txt` lists).
public struct StatusReport {
    public var site: String
    public var baseCurrency: String
    public var timezone: String
    public var entries: Int
    public var head: String
    public var lastCheckpoint: String?
    /// The entry count the newest checkpoint signs.
    public var lastCheckpointSeq: Int?
    public var closed: [(period: Period, seq: Int)]
    /// Final invoices and payout statements (and later credit notes and adjustments) per closed period.
    public var closedDocuments: [Period: [IssuedDocument]]
    public var open: [PeriodReview]
    public var held: [String]
    public var rejected: [String]
    /// Rejected drop → how many problems its `.errors.txt` lists (absent when it cannot be read).
    public var rejectedProblems: [String: Int]
    public var inbox: [String]
    /// What clients owe, per currency, by age past due as of today (all clients together).
    public var receivables: [ReceivablesSummary] = []
    public var receivablesAsOf: LocalDate?
    /// Whether `recon.toml` lacks `[seller]`: invoices then name only the site.
    public var sellerMissing = false

    public init(session: SiteSession) {
        let s = session.state
        site = s.name
        baseCurrency = s.base.code
        timezone = s.zone.identifier
        entries = session.ledger.entries.count
        head = session.ledger.headHash
        let checkpoints = Checkpointer(site: session.site)
        lastCheckpoint = checkpoints.latest()
        lastCheckpointSeq = checkpoints.all().last
        closed = s.closedPeriods.map { ($0.key, $0.value) }.sorted { $0.period < $1.period }
        closedDocuments = Dictionary(grouping: s.issued.filter { s.closedPeriods[$0.period] != nil }, by: \.period)
        open = s.openPeriods.map { Reviewer(session: session).review($0, final: false) }
        held = FileIO.list(session.site.held).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".errors.txt") }.sorted()
        rejected = FileIO.list(session.site.rejected).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".errors.txt") }.sorted()
        var problems: [String: Int] = [:]
        for name in rejected {
            guard let bytes = try? FileIO.read(session.site.rejected + "/" + name + ".errors.txt") else { continue }
            problems[name] = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).count
        }
        rejectedProblems = problems
        inbox = Ingestor.inboxDrops(session.site).map(FileIO.baseName)
        sellerMissing = session.config.seller == nil
        let writer = StatementWriter(session: session)
        receivablesAsOf = writer.today
        receivables = ReceivablesSummary.all(writer: writer, asOf: writer.today)
    }

    // MARK: - Sums

    /// Totals of documents per currency, e.g. `354.00 INR, 2.00 USD`.
    /// - Throws: an overflow, never hidden: a total that cannot be held is not shown as another.
    static func totalsByCurrency(_ amounts: [(currency: String, total: ExactDecimal)]) throws -> [(currency: String, total: ExactDecimal)] {
        var byCurrency: [String: ExactDecimal] = [:]
        for a in amounts {
            byCurrency[a.currency] = try (byCurrency[a.currency] ?? .zero) + a.total
        }
        return byCurrency.keys.sorted().map { ($0, byCurrency[$0] ?? .zero) }
    }

    static func totalsText(_ amounts: [(currency: String, total: ExactDecimal)]) throws -> String {
        try totalsByCurrency(amounts).map { "\(Digits.grouped($0.total)) \($0.currency)" }.joined(separator: ", ")
    }

    /// An open period's month-to-date revenue, cost and margin in the base currency.
    static func margin(_ r: PeriodReview) throws -> (revenue: ExactDecimal, cost: ExactDecimal, margin: ExactDecimal) {
        var revenue = ExactDecimal.zero, cost = ExactDecimal.zero
        for m in r.book.margins {
            revenue = try revenue + m.revenue
            cost = try cost + m.cost
        }
        return (revenue, cost, try revenue - cost)
    }

    /// Margin as a percentage of revenue with one decimal, for people (`46.2%`); empty without revenue.
    static func percent(_ margin: ExactDecimal, of revenue: ExactDecimal) -> String {
        guard !revenue.isZero else { return "" }
        let tenths = (margin.doubleApproximation / revenue.doubleApproximation * 1000).rounded()
        return " (\(tenths / 10)%)"
    }

    static func plural(_ n: Int, _ word: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? word : plural ?? word + "s")
    }

    /// How many closed periods the text lists one by one (the most recent); JSON lists them all.
    static let closedPeriodsShown = 12

    // MARK: - Text

    public var text: String { get throws {
        var t = "site \(site) (base \(baseCurrency), \(timezone))\n"
        t += "ledger: \(entries) entries, head \(head)\n"
        if let lastCheckpoint, let seq = lastCheckpointSeq {
            let since = entries - seq
            t += "last checkpoint: \(lastCheckpoint)" + (since == 0 ? " (signs the head)" : " (\(Self.plural(since, "entry", "entries")) since)") + "\n"
        } else {
            t += "last checkpoint: none yet (the first close writes one)\n"
        }
        t += "closed periods: " + (closed.isEmpty ? "none" : "\(closed.count)") + "\n"
        if closed.count > Self.closedPeriodsShown {
            t += "  … \(closed.count - Self.closedPeriodsShown) earlier, from \(closed[0].period) (all in --json)\n"
        }
        for c in closed.suffix(Self.closedPeriodsShown) {
            let docs = closedDocuments[c.period] ?? []
            var parts: [String] = []
            for (kind, label) in [(DocumentKind.invoice, "invoice"), (.payout, "payout statement"), (.creditNote, "credit note"),
                                  (.payoutAdjustment, "payout adjustment")] {
                let list = docs.filter { $0.kind == kind }
                guard !list.isEmpty else { continue }
                parts.append(try Self.plural(list.count, label) + " (" + Self.totalsText(list.map { ($0.currency.code, $0.total) }) + ")")
            }
            t += "  \(c.period) closed at seq \(c.seq): " + (parts.isEmpty ? "no documents" : parts.joined(separator: ", ")) + "\n"
        }
        if open.isEmpty { t += "open periods: none\n" }
        for r in open {
            t += "open \(r.period) (draft): \(r.book.billableReports) billable reports, \(r.book.excludedReports) excluded\n"
            for (label, docs) in [("invoices", r.book.invoices), ("payouts", r.book.payouts)] {
                let totals = try Self.totalsText(docs.map { ($0.currency.code, $0.total) })
                t += "  draft \(label): \(docs.count)" + (totals.isEmpty ? "" : " — \(totals)") + "\n"
            }
            let m = try Self.margin(r)
            t += "  margin in \(baseCurrency): revenue \(Digits.grouped(m.revenue)), cost \(Digits.grouped(m.cost)), "
                + "margin \(Digits.grouped(m.margin))\(Self.percent(m.margin, of: m.revenue))\n"
            for gap in r.book.marginGaps.prefix(5) { t += "    left out of the margin: \(gap)\n" }
            let undecided = r.hardFlags.filter { $0.decision == nil }
            t += "  hard flags: \(r.hardFlags.count) (\(undecided.count) undecided)\n"
            for f in undecided.prefix(20) { t += "    \(f.flag.id) report \(f.flag.subject): \(f.flag.reason)\n" }
            if undecided.count > 20 { t += "    … \(undecided.count - 20) more in Outbox/\(r.period)/review.xlsx\n" }
            let softUndecided = r.softFlags.filter { $0.decision == nil }
            t += "  soft flags: \(r.softFlags.count) (\(softUndecided.count) undecided)\n"
            for f in softUndecided.prefix(10) { t += "    \(f.flag.id) \(f.flag.subject) score \(f.flag.score): \(f.flag.reason)\n" }
            if softUndecided.count > 10 { t += "    … \(softUndecided.count - 10) more in Outbox/\(r.period)/review.xlsx\n" }
            for p in r.book.problems.prefix(20) { t += "  \(p.code.rawValue) \(p.message)\n" }
            if r.book.problems.count > 20 { t += "  … \(r.book.problems.count - 20) more problems in Outbox/\(r.period)/review.xlsx\n" }
            let blocking = r.blocking.count
            t += blocking == 0 ? "  ready to close\n" : "  \(Self.plural(blocking, "thing")) \(blocking == 1 ? "blocks" : "block") the close\n"
        }
        if !receivables.isEmpty, let asOf = receivablesAsOf {
            t += "receivables as of \(asOf):\n"
            for r in receivables { t += "  " + r.text + "\n" }
        }
        if sellerMissing { t += "seller: not set — invoices lack the seller's details; add [seller] to recon.toml\n" }
        t += "inbox: \(inbox.count) waiting" + (inbox.isEmpty ? "" : " (\(inbox.joined(separator: ", ")))") + "\n"
        t += "held: \(held.count)" + (held.isEmpty ? "" : " (\(held.joined(separator: ", "))) — they touch a closed period and wait for `recon rerun` of it") + "\n"
        t += "rejected: \(rejected.count)" + (rejected.isEmpty ? "" : " — see Inbox/rejected/NAME.errors.txt") + "\n"
        for name in rejected {
            t += "  \(name)" + (rejectedProblems[name].map { ": \(Self.plural($0, "problem"))" } ?? "") + "\n"
        }
        return t
    } }

    // MARK: - JSON

    public var json: JSONValue { get throws {
        .object([
            "site": .string(site), "base_currency": .string(baseCurrency), "timezone": .string(timezone),
            "ledger": .object(["entries": .int(Int64(entries)), "head": .string(head),
                               "last_checkpoint": lastCheckpoint.map { .string($0) } ?? .null,
                               "last_checkpoint_seq": lastCheckpointSeq.map { .int(Int64($0)) } ?? .null]),
            "closed_periods": .array(closed.map { c in
                let docs = closedDocuments[c.period] ?? []
                return .object(["period": .string(c.period.description), "seq": .int(Int64(c.seq)),
                                "documents": .array(docs.map(Self.issuedJSON))])
            }),
            "open_periods": .array(try open.map { r in
                let m = try Self.margin(r)
                return .object([
                    "period": .string(r.period.description),
                    "billable_reports": .int(Int64(r.book.billableReports)),
                    "excluded_reports": .int(Int64(r.book.excludedReports)),
                    "invoices": .array(r.book.invoices.map(Self.draftJSON)),
                    "payouts": .array(r.book.payouts.map(Self.draftJSON)),
                    "invoice_totals": try Self.totalsJSON(r.book.invoices.map { ($0.currency.code, $0.total) }),
                    "payout_totals": try Self.totalsJSON(r.book.payouts.map { ($0.currency.code, $0.total) }),
                    "margin": .object(["currency": .string(baseCurrency), "revenue": .string(m.revenue.description),
                                       "cost": .string(m.cost.description), "margin": .string(m.margin.description),
                                       "left_out": .array(r.book.marginGaps.map { .string($0) })]),
                    "hard_flags": .array(r.hardFlags.map(Self.flagJSON)),
                    "soft_flags": .array(r.softFlags.map(Self.flagJSON)),
                    "undecided_hard_flags": .int(Int64(r.hardFlags.filter { $0.decision == nil }.count)),
                    "undecided_soft_flags": .int(Int64(r.softFlags.filter { $0.decision == nil }.count)),
                    "problems": .array(r.book.problems.map { .object(["code": .string($0.code.rawValue), "subject": .string($0.subject), "message": .string($0.message)]) }),
                    "blocking": .array(r.blocking.map { .string($0) }),
                ])
            }),
            "receivables": .object(Dictionary(uniqueKeysWithValues: receivables.map { ($0.currency.code, $0.json) })),
            "receivables_as_of": receivablesAsOf.map { .string($0.description) } ?? .null,
            "seller_missing": .bool(sellerMissing),
            "inbox": .array(inbox.map { .string($0) }),
            "held": .array(held.map { .string($0) }),
            "rejected": .array(rejected.map { .string($0) }),
            "rejected_problems": .object(Dictionary(uniqueKeysWithValues: rejectedProblems.map { ($0.key, JSONValue.int(Int64($0.value))) })),
        ])
    } }

    static func totalsJSON(_ amounts: [(currency: String, total: ExactDecimal)]) throws -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: try totalsByCurrency(amounts).map { ($0.currency, JSONValue.string($0.total.description)) }))
    }

    static func draftJSON(_ d: DocumentDraft) -> JSONValue {
        .object(["party_id": .string(d.partyId), "currency": .string(d.currency.code), "reports": .int(Int64(d.reportCount)),
                 "subtotal": .string(d.subtotal.description), "tax": .string(d.tax.description), "total": .string(d.total.description)])
    }

    static func issuedJSON(_ d: IssuedDocument) -> JSONValue {
        .object(["number": .string(d.number), "kind": .string(d.kind.rawValue), "party_id": .string(d.partyId),
                 "currency": .string(d.currency.code), "total": .string(d.total.description), "seq": .int(Int64(d.seq))])
    }

    static func flagJSON(_ f: PeriodReview.FlagState) -> JSONValue {
        .object(["id": .string(f.flag.id), "code": .string(f.flag.code), "subject": .string(f.flag.subject),
                 "score": .string(f.flag.score), "reason": .string(f.flag.reason),
                 "decision": f.decision.map { .string($0.decision.rawValue) } ?? .null])
    }
}
