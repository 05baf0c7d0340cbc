import Foundation

/// What the settled part of `recon status` is made from (``StatusReport/Settled``): the
/// state's closed periods and documents, the open periods' reviews, the receivables as of
/// today and whether `recon.toml` names the seller.
struct StatusFigures {
    var site: String
    var baseCurrency: String
    var timezone: String
    var entries: Int
    var head: String
    var closed: [(period: Period, seq: Int)]
    /// Drops accepted into a closed period since its close or last rerun (``SiteState/awaitingRerun``).
    var awaitingRerun: [Period: [String]]
    /// Every issued document: the state's list, shared rather than copied.
    var issued: [IssuedDocument]
    /// Final invoices and payout statements (and later credit notes and adjustments) per closed
    /// period, as positions in ``issued``: after a year, grouping copies of its six thousand
    /// documents retained and released every string of each on every drop.
    var closedDocuments: [Period: [Int]]
    var open: [PeriodReview]
    /// What clients owe, per currency, by age past due as of today (all clients together).
    var receivables: [ReceivablesSummary] = []
    var receivablesAsOf: LocalDate?
    /// Whether `recon.toml` lacks `[seller]`: invoices then name only the site.
    var sellerMissing = false
    /// What `[seller]` leaves out that SPEC §7 has every document's first sheet hold.
    var sellerLacks: [String] = []
    /// Hard flags of closed periods that no decision settles (raised by a held drop a rerun
    /// took): each blocks that period's next rerun until a decisions drop names its report.
    var undecidedClosed: [Period: [(id: String, report: String)]] = [:]
    /// The held decisions drop deciding a closed month's undecided flag, by flag id: the flag
    /// then waits for the rerun that applies it, not for a decision.
    var decidedInHeld: [String: String] = [:]
    /// Per open period, the parties a pricing problem names that have no draft at all (none of
    /// their reports could be priced), with their currency and reports: listed in the JSON
    /// beside the drafts, `complete: false`, as the draft workbooks list them.
    var undrafted: [Period: [(kind: DocumentKind, id: String, currency: Currency, reports: Int)]] = [:]
    /// What the close of each open period waits for, in order: its last day (while it runs),
    /// then what its review says blocks it.
    var blocking: [Period: [String]] = [:]
    /// Months no report of which is taken yet, whose reports wait in a held drop (it touches a
    /// closed month too): not open, yet `recon close` of one refuses, naming the drop.
    var heldOnly: [Period: [String]] = [:]

    init(session: SiteSession, open: [PeriodReview]?) {
        let s = session.state
        site = s.name
        baseCurrency = s.base.code
        timezone = s.zone.identifier
        entries = session.ledger.entries.count
        head = session.ledger.headHash
        closed = s.closedPeriods.map { ($0.key, $0.value) }.sorted { $0.period < $1.period }
        awaitingRerun = s.awaitingRerun
        undecidedClosed = Self.undecidedClosed(s)
        if !undecidedClosed.isEmpty {
            let held = HeldDrops(session: session).heldDecisions()
            for f in undecidedClosed.values.joined() {
                if let drop = held[f.id] ?? held[f.report] { decidedInHeld[f.id] = drop }
            }
        }
        issued = s.issued
        closedDocuments = [:]
        for i in s.issued.indices where s.closedPeriods[s.issued[i].period] != nil {
            closedDocuments[s.issued[i].period, default: []].append(i)
        }
        self.open = open ?? s.openPeriods.map { Reviewer(session: session).review($0, final: false) }
        sellerMissing = session.config.seller == nil
        if let seller = session.config.seller {
            sellerLacks = [("address", seller.address.isEmpty), ("tax_id", seller.taxId.isEmpty),
                           ("payment_instructions", seller.paymentInstructions.isEmpty)].filter(\.1).map(\.0)
        }
        for r in self.open {
            var none: [(kind: DocumentKind, id: String, currency: Currency, reports: Int)] = []
            for (kind, drafts) in [(DocumentKind.invoice, r.book.invoices), (.payout, r.book.payouts)] {
                let drafted = Set(drafts.map(\.partyId))
                for id in Set(r.book.problems.filter { $0.side == kind }.map(\.subject)).subtracting(drafted).sorted() {
                    let currency = kind == .invoice ? s.pricing.clients[id]?.currency : s.pricing.radiologists[id]?.currency
                    let reports = kind == .invoice ? r.book.clientCounts[id]?.reports : r.book.radiologistCounts[id]?.reports
                    if let currency { none.append((kind, id, currency, reports ?? 0)) }
                }
            }
            if !none.isEmpty { undrafted[r.period] = none }
        }
        let writer = StatementWriter(session: session)
        receivablesAsOf = writer.today
        // As `recon close` refuses: its last day, its reports held in a drop that waits for a
        // closed month's rerun, a recon.toml gone with the [seller] the invoices so far carry,
        // then its review (the Inbox is read live, ``StatusReport``).
        let heldDrops = HeldDrops(session: session)
        let held = heldDrops.blockingCloses(of: self.open.map(\.period))
        var sellerGone: String?
        do { try Closer.requireSellerKept(session) } catch { sellerGone = (error as? ReconFailure)?.message ?? "\(error)" }
        for r in self.open {
            blocking[r.period] = [Closer.notEnded(r.period, today: writer.today, zone: s.zone.identifier)].compactMap { $0 }
                + (held[r.period] ?? []) + (sellerGone.map { [$0] } ?? []) + r.blocking
        }
        let known = Set(self.open.map(\.period)).union(s.closedPeriods.keys)
        let waiting = heldDrops.heldPeriods().filter { !known.contains($0) }
        if !waiting.isEmpty { heldOnly = heldDrops.blockingCloses(of: waiting) }
        receivables = ReceivablesSummary.all(writer: writer, asOf: writer.today)
    }
}

extension StatusFigures {
    /// Hard flags of closed periods that no decision settles, per period.
    static func undecidedClosed(_ s: SiteState) -> [Period: [(id: String, report: String)]] {
        var out: [Period: [(id: String, report: String)]] = [:]
        for (id, f) in s.raisedFlags where f.severity == .hard && s.closedPeriods[f.period] != nil
            && s.hardDecision(flagId: id, report: f.subject, period: f.period) == nil {
            out[f.period, default: []].append((id, f.subject))
        }
        return out
    }

    func settled() throws -> StatusReport.Settled {
        var json = try openMembers()
        json["closed_periods"] = try closedPeriodsCanonical().withUnsafeBufferPointer { try JSONParser.parse(buffer: $0) }
        return StatusReport.Settled(entries: entries, head: head, textBeforeCheckpoint: textBeforeCheckpoint,
                                    textAfterCheckpoint: try textAfterCheckpoint(), json: json)
    }

    /// ``settled()``'s JSON members but `closed_periods` in their canonical form (RFC 8785),
    /// for the status cache's note; the closed periods are its part of their own, written
    /// straight into bytes (``closedPeriodsCanonical()``).
    func canonicalJSON() throws -> [UInt8] {
        JCS.canonical(.object(try openMembers()))
    }

    var textBeforeCheckpoint: String {
        "site \(site) (base \(baseCurrency), \(timezone))\n" + "ledger: \(entries) entries, head \(head)\n"
    }

    private typealias Report = StatusReport

    func textAfterCheckpoint() throws -> String {
        var t = "closed periods: " + (closed.isEmpty ? "none" : "\(closed.count)") + "\n"
        if closed.count > Report.closedPeriodsShown {
            t += "  … \(closed.count - Report.closedPeriodsShown) earlier, from \(closed[0].period) (all in --json)\n"
        }
        for c in closed.suffix(Report.closedPeriodsShown) {
            let docs = closedDocuments[c.period] ?? []
            var parts: [String] = []
            for (kind, label) in [(DocumentKind.invoice, "invoice"), (.payout, "payout statement"), (.creditNote, "credit note"),
                                  (.payoutAdjustment, "payout adjustment")] {
                let list = docs.filter { issued[$0].kind == kind }
                guard !list.isEmpty else { continue }
                parts.append(try Report.plural(list.count, label) + " ("
                    + Report.totalsText(list.map { (issued[$0].currency.code, issued[$0].total) }) + ")")
            }
            t += "  \(c.period) closed at seq \(c.seq): " + (parts.isEmpty ? "no documents" : parts.joined(separator: ", ")) + "\n"
        }
        // Reports in the ledger on no document yet: said whatever the period's age.
        for (period, drops) in awaitingRerun.sorted(by: { $0.key < $1.key }) {
            t += "  \(period): \(Report.plural(drops.count, "drop")) accepted since it was settled (\(drops.joined(separator: ", "))), "
                + "on no document yet — run `recon rerun \(period)`\n"
        }
        for (period, flags) in undecidedClosed.sorted(by: { $0.key < $1.key }) {
            for f in flags.sorted(by: { $0.id < $1.id }) {
                if let drop = decidedInHeld[f.id] {
                    t += "  \(period): \(f.id) report \(f.report) is decided in the held drop Inbox/held/\(SafeText.escaped(drop)), "
                        + "which `recon rerun \(period)` applies\n"
                    continue
                }
                t += "  \(period): \(f.id) report \(f.report) is undecided and blocks its rerun — decide it in a decisions drop "
                    + "(subject,decision,by — \(f.report),approve or exclude,NAME)\n"
            }
        }
        if open.isEmpty { t += "open periods: none\n" }
        for r in open {
            t += "open \(r.period) (draft): \(r.book.billableReports) billable reports, \(r.book.excludedReports) excluded\n"
            for (label, side, docs) in [("invoices", DocumentKind.invoice, r.book.invoices), ("payouts", .payout, r.book.payouts)] {
                let totals = try Report.totalsText(docs.map { ($0.currency.code, $0.total) })
                // Totals leave out what could not be priced or converted: said, never shown as complete.
                let problems = r.book.problems.filter { $0.side == side }.count
                let leavesOut = problems == 0 ? "" : ", leaving out what \(Report.plural(problems, "problem")) below \(problems == 1 ? "names" : "name")"
                t += "  draft \(label): \(docs.count)" + (totals.isEmpty ? "" : " — \(totals)") + leavesOut + "\n"
            }
            let m = try Report.margin(r, base: baseCurrency)
            t += "  margin in \(baseCurrency): revenue \(Digits.grouped(m.revenue)), cost \(Digits.grouped(m.cost)), "
                + "margin \(Digits.grouped(m.margin))\(Report.percent(m.margin, of: m.revenue))\n"
            for gap in r.book.marginGaps.prefix(5) { t += "    left out of the margin: \(gap)\n" }
            let undecided = r.hardFlags.filter { $0.decision == nil }
            t += "  hard flags: \(r.hardFlags.count) (\(undecided.count) undecided)\n"
            for f in undecided.prefix(20) { t += "    \(f.flag.id) report \(f.flag.subject): \(f.flag.reason)\n" }
            if undecided.count > 20 { t += "    … \(undecided.count - 20) more in Outbox/\(r.period)/review.xlsx\n" }
            let softUndecided = r.softFlags.filter { $0.decision == nil }
            t += "  soft flags, provisional until the close: \(r.softFlags.count) (\(softUndecided.count) undecided)\n"
            for f in softUndecided.prefix(10) { t += "    \(f.flag.id) \(f.flag.subject) score \(f.flag.score): \(f.flag.reason)\n" }
            if softUndecided.count > 10 { t += "    … \(softUndecided.count - 10) more in Outbox/\(r.period)/review.xlsx\n" }
            for p in r.book.problems.prefix(20) { t += "  \(p.code.rawValue) \(p.message)\n" }
            if r.book.problems.count > 20 { t += "  … \(r.book.problems.count - 20) more problems in Outbox/\(r.period)/review.xlsx\n" }
            let blocking = self.blocking[r.period] ?? []
            // What blocks beyond the review's own lines above (its last day, a held drop), each said.
            for extra in blocking.dropLast(r.blocking.count) { t += "  not ready to close: \(extra)\n" }
            t += blocking.isEmpty ? "  ready to close\n" : "  \(Report.plural(blocking.count, "thing")) \(blocking.count == 1 ? "blocks" : "block") the close\n"
        }
        for (period, lines) in heldOnly.sorted(by: { $0.key < $1.key }) {
            for line in lines { t += "held for \(period) (no report of it taken yet): \(line)\n" }
        }
        if !receivables.isEmpty, let asOf = receivablesAsOf {
            t += "receivables as of \(asOf):\n"
            for r in receivables { t += "  " + r.text + "\n" }
        }
        if sellerMissing { t += "seller: not set — invoices lack the seller's details; add [seller] to recon.toml\n" }
        if !sellerLacks.isEmpty {
            t += "seller: [seller] in recon.toml has no \(sellerLacks.joined(separator: ", ")) — invoices go out without "
                + "\(sellerLacks.count == 1 ? "it" : "them"); add \(sellerLacks.count == 1 ? "it" : "them") before the next close\n"
        }
        return t
    }

    /// The `closed_periods` member in its canonical form (RFC 8785), written straight into
    /// bytes: after a year it holds six thousand documents, which built as values whose
    /// members are then sorted and written were most of what keeping the status cache cost
    /// a drop. Names in the order JCS sorts them: each period's `awaiting_rerun`,
    /// `documents`, `period`, `seq`, `undecided_hard_flags`; each document's `currency`,
    /// `kind`, `number`, `party_id`, `seq`, `total`; each flag's `id`, `report`.
    func closedPeriodsCanonical() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(closedDocuments.values.reduce(64 * closed.count) { $0 + 128 * $1.count })
        func name(_ text: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        func string(_ s: String) { JCS.appendString(s, to: &out) }
        out.append(UInt8(ascii: "["))
        for (n, c) in closed.enumerated() {
            name(n == 0 ? #"{"awaiting_rerun":["# : #",{"awaiting_rerun":["#)
            for (k, drop) in (awaitingRerun[c.period] ?? []).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                string(drop)
            }
            name(#"],"documents":["#)
            // Each document's fields read where it lies: a copy retained and released its eight strings.
            issued.withUnsafeBufferPointer { documents in
                for (k, i) in (closedDocuments[c.period] ?? []).enumerated() {
                    let d = documents.baseAddress! + i
                    name(k == 0 ? #"{"currency":"# : #",{"currency":"#)
                    string(d.pointee.currency.code)
                    name(#","kind":"#)
                    string(d.pointee.kind.rawValue)
                    name(#","number":"#)
                    string(d.pointee.number)
                    name(#","party_id":"#)
                    string(d.pointee.partyId)
                    name(#","seq":"#)
                    JCS.appendInteger(Int64(d.pointee.seq), to: &out)
                    name(#","total":"#)
                    string(d.pointee.total.description)
                    out.append(UInt8(ascii: "}"))
                }
            }
            name(#"],"period":"#)
            string(c.period.description)
            name(#","seq":"#)
            JCS.appendInteger(Int64(c.seq), to: &out)
            name(#","undecided_hard_flags":["#)
            for (k, f) in (undecidedClosed[c.period] ?? []).sorted(by: { $0.id < $1.id }).enumerated() {
                name(k == 0 ? #"{"id":"# : #",{"id":"#)
                string(f.id)
                name(#","report":"#)
                string(f.report)
                out.append(UInt8(ascii: "}"))
            }
            name("]}")
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// The parties of `kind` with no draft in `period` (``undrafted``): nothing priced, so
    /// nothing owed or paid yet, and not complete.
    private func undraftedJSON(_ period: Period, _ kind: DocumentKind) -> [JSONValue] {
        (undrafted[period] ?? []).filter { $0.kind == kind }.map { p in
            let zero = JSONValue.string(p.currency.zero.description)
            return .object(["party_id": .string(p.id), "currency": .string(p.currency.code), "reports": .int(Int64(p.reports)),
                            "subtotal": zero, "tax": zero, "total": zero, "complete": .bool(false)])
        }
    }

    /// Every JSON member of the settled part but `closed_periods` (``closedPeriodsCanonical()``).
    private func openMembers() throws -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "site": .string(site), "base_currency": .string(baseCurrency), "timezone": .string(timezone),
            "open_periods": .array(try open.map { r in
                let m = try Report.margin(r, base: baseCurrency)
                return .object([
                    "period": .string(r.period.description),
                    "billable_reports": .int(Int64(r.book.billableReports)),
                    "excluded_reports": .int(Int64(r.book.excludedReports)),
                    "invoices": .array(r.book.invoices.map { Report.draftJSON($0, problems: r.book.problems) } + undraftedJSON(r.period, .invoice)),
                    "payouts": .array(r.book.payouts.map { Report.draftJSON($0, problems: r.book.problems) } + undraftedJSON(r.period, .payout)),
                    "invoice_totals": try Report.totalsJSON(r.book.invoices.map { ($0.currency.code, $0.total) }),
                    "payout_totals": try Report.totalsJSON(r.book.payouts.map { ($0.currency.code, $0.total) }),
                    "margin": .object(["currency": .string(baseCurrency), "revenue": .string(m.revenue.description),
                                       "cost": .string(m.cost.description), "margin": .string(m.margin.description),
                                       "left_out": .array(r.book.marginGaps.map { .string($0.description) })]),
                    "hard_flags": .array(r.hardFlags.map { Report.flagJSON($0) }),
                    // An open month's soft findings are provisional (SPEC §4): its close raises the final ones.
                    "soft_flags": .array(r.softFlags.map { Report.flagJSON($0, provisional: true) }),
                    "undecided_hard_flags": .int(Int64(r.hardFlags.filter { $0.decision == nil }.count)),
                    "undecided_soft_flags": .int(Int64(r.softFlags.filter { $0.decision == nil }.count)),
                    "problems": .array(r.book.problems.map { .object(["code": .string($0.code.rawValue), "subject": .string($0.subject), "message": .string($0.message)]) }),
                    "blocking": .array((blocking[r.period] ?? []).map { .string($0) }),
                ])
            }),
            "receivables": .object(Dictionary(uniqueKeysWithValues: receivables.map { ($0.currency.code, $0.json) })),
            "receivables_as_of": receivablesAsOf.map { .string($0.description) } ?? .null,
            "seller_missing": .bool(sellerMissing),
            "seller_lacks": .array(sellerLacks.map { .string($0) }),
        ]
        // Only when there are such months: what a close of each refuses for.
        if !heldOnly.isEmpty {
            members["held_only_periods"] = .array(heldOnly.sorted(by: { $0.key < $1.key }).map {
                .object(["period": .string($0.key.description), "blocking": .array($0.value.map { .string($0) })])
            })
        }
        return members
    }
}
