/// `recon status`: what a finance lead wants to know at a glance.
public struct StatusReport {
    public var site: String
    public var baseCurrency: String
    public var timezone: String
    public var entries: Int
    public var head: String
    public var lastCheckpoint: String?
    public var closed: [(period: Period, seq: Int)]
    public var open: [PeriodReview]
    public var held: [String]
    public var rejected: [String]
    public var inbox: [String]

    public init(session: SiteSession) {
        let s = session.state
        site = s.name
        baseCurrency = s.base.code
        timezone = s.zone.identifier
        entries = session.ledger.entries.count
        head = session.ledger.headHash
        lastCheckpoint = Checkpointer(site: session.site).latest()
        closed = s.closedPeriods.map { ($0.key, $0.value) }.sorted { $0.period < $1.period }
        open = s.openPeriods.map { Reviewer(session: session).review($0, final: false) }
        held = FileIO.list(session.site.held).filter { !$0.hasPrefix(".") }
        rejected = FileIO.list(session.site.rejected).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".errors.txt") }
        inbox = Ingestor.inboxDrops(session.site).map(FileIO.baseName)
    }

    public var text: String {
        var t = "site \(site) (base \(baseCurrency), \(timezone))\n"
        t += "ledger: \(entries) entries, head \(head)\n"
        t += "last checkpoint: \(lastCheckpoint ?? "none yet")\n"
        t += "closed periods: " + (closed.isEmpty ? "none" : closed.map { "\($0.period)" }.joined(separator: ", ")) + "\n"
        if open.isEmpty { t += "open periods: none\n" }
        for r in open {
            t += "open \(r.period): \(r.book.billableReports) billable reports, \(r.book.excludedReports) excluded\n"
            for (label, docs) in [("invoices", r.book.invoices), ("payouts", r.book.payouts)] {
                var byCurrency: [String: ExactDecimal] = [:]
                for d in docs { byCurrency[d.currency.code] = (try? (byCurrency[d.currency.code] ?? .zero) + d.total) ?? .zero }
                let totals = byCurrency.keys.sorted().map { "\(byCurrency[$0]!) \($0)" }.joined(separator: ", ")
                t += "  draft \(label): \(docs.count)" + (totals.isEmpty ? "" : " — \(totals)") + "\n"
            }
            let undecided = r.hardFlags.filter { $0.decision == nil }
            t += "  hard flags: \(r.hardFlags.count) (\(undecided.count) undecided)\n"
            for f in undecided.prefix(20) { t += "    \(f.flag.id) report \(f.flag.subject): \(f.flag.reason)\n" }
            if undecided.count > 20 { t += "    … \(undecided.count - 20) more in Outbox/\(r.period)/review.xlsx\n" }
            t += "  soft flags: \(r.softFlags.count)\n"
            for f in r.softFlags.prefix(10) { t += "    \(f.flag.id) \(f.flag.subject) score \(f.flag.score): \(f.flag.reason)\n" }
            for p in r.book.problems.prefix(20) { t += "  \(p.code.rawValue) \(p.message)\n" }
            let blocking = r.blocking.count
            t += blocking == 0 ? "  ready to close\n" : "  \(blocking) thing\(blocking == 1 ? "" : "s") block the close\n"
        }
        t += "inbox: \(inbox.count) waiting" + (inbox.isEmpty ? "" : " (\(inbox.joined(separator: ", ")))") + "\n"
        t += "held: \(held.count)" + (held.isEmpty ? "" : " (\(held.joined(separator: ", ")))") + "\n"
        t += "rejected: \(rejected.count)" + (rejected.isEmpty ? "" : " (\(rejected.joined(separator: ", ")))") + "\n"
        return t
    }

    public var json: JSONValue {
        .object([
            "site": .string(site), "base_currency": .string(baseCurrency), "timezone": .string(timezone),
            "ledger": .object(["entries": .int(Int64(entries)), "head": .string(head),
                               "last_checkpoint": lastCheckpoint.map { .string($0) } ?? .null]),
            "closed_periods": .array(closed.map { .object(["period": .string($0.period.description), "seq": .int(Int64($0.seq))]) }),
            "open_periods": .array(open.map { r in
                .object([
                    "period": .string(r.period.description),
                    "billable_reports": .int(Int64(r.book.billableReports)),
                    "excluded_reports": .int(Int64(r.book.excludedReports)),
                    "invoices": .array(r.book.invoices.map(Self.draftJSON)),
                    "payouts": .array(r.book.payouts.map(Self.draftJSON)),
                    "hard_flags": .array(r.hardFlags.map(Self.flagJSON)),
                    "soft_flags": .array(r.softFlags.map(Self.flagJSON)),
                    "problems": .array(r.book.problems.map { .object(["code": .string($0.code.rawValue), "subject": .string($0.subject), "message": .string($0.message)]) }),
                    "blocking": .array(r.blocking.map { .string($0) }),
                ])
            }),
            "inbox": .array(inbox.map { .string($0) }),
            "held": .array(held.map { .string($0) }),
            "rejected": .array(rejected.map { .string($0) }),
        ])
    }

    static func draftJSON(_ d: DocumentDraft) -> JSONValue {
        .object(["party_id": .string(d.partyId), "currency": .string(d.currency.code), "reports": .int(Int64(d.reportCount)),
                 "subtotal": .string(d.subtotal.description), "tax": .string(d.tax.description), "total": .string(d.total.description)])
    }

    static func flagJSON(_ f: PeriodReview.FlagState) -> JSONValue {
        .object(["id": .string(f.flag.id), "code": .string(f.flag.code), "subject": .string(f.flag.subject),
                 "score": .string(f.flag.score), "reason": .string(f.flag.reason),
                 "decision": f.decision.map { .string($0.decision.rawValue) } ?? .null])
    }
}
