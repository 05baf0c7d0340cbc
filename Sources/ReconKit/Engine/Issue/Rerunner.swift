import Foundation

/// `recon rerun YYYY-MM --reason TEXT --key FILE` (SPEC §5), privileged and signed.
///
/// Applies the held drops of the period, reprices it with the cards in force now, and for
/// each party whose total changed issues a credit note (payout adjustment) for the whole
/// outstanding net and a new invoice (statement). Nothing issued is edited or deleted.
public struct Rerunner {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public struct Result {
        public var period: Period
        public var appliedDrops: [String]
        /// Those of ``appliedDrops`` an earlier rerun (of another month it touches, or one that
        /// stopped before it issued) took into the ledger: this rerun bills them, it does not take them.
        public var takenEarlier: [String] = []
        /// Held drops that no longer pass the site's rules, moved to `Inbox/rejected/`.
        public var rejectedDrops: [String] = []
        public var documents: [String]
        public var checkpoint: String?
    }

    /// A credit note issued by `recon credit`: its entry carries the operator's signed request.
    private func isOperatorCredit(_ d: IssuedDocument) -> Bool {
        guard d.kind == .creditNote || d.kind == .payoutAdjustment, d.seq >= 1, d.seq <= session.ledger.entries.count else { return false }
        return session.ledger.entries[d.seq - 1].body["request"]?.objectValue?["command"]?.stringValue == "credit"
    }

    /// Which terms of its clients and radiologists a rerun bills the period under.
    public enum Terms: String, CaseIterable, Sendable {
        /// As each party's latest documents of the period were billed (``pricingOnBilledTerms(_:)``): the default.
        case closed
        /// As the master data stands now: to correct a closed month's terms (a wrong tax
        /// split, contract or seniority), asked for and signed as such.
        case now
    }

    /// `terms`: nil when not asked for (closed); given, it is signed with the request and recorded.
    public func rerun(_ period: Period, reason: String, keyFile: String, terms: Terms? = nil) throws -> Result {
        try session.requireAllReports()  // never a number from the cache, and the settled period's reports
        guard session.state.closedPeriods[period] != nil else {
            throw ReconFailure.refused("\(period) is not closed; an open period is repriced on every ingest — close it with `recon close \(period)`")
        }
        try OutboxCheck(site: session.site).requireWritable(period: period)
        // The open months' drafts and reviews are written again after the entries.
        try OutboxCheck(site: session.site).requireDerivedPlaces(periods: session.state.openPeriods)
        try Closer.requireSellerKept(session)
        try Ingestor(session: session).requireOwnFolders()  // its held drops are read from inside the site only
        // A drop still waiting in the Inbox may hold the month's late reports or decisions: the
        // rerun signed for them applied nothing ("totals unchanged", exit 0) and spent its request
        // (one run in the watcher's second of waiting, or after an ingest stopped before it held
        // the drop). Refused as the close is, before anything is signed.
        Closer.removeAcceptedCopies(session)
        if let waiting = (Closer.waitingInInbox(session, period: period, rerun: true) + Closer.lostDrops(session, then: "then rerun \(period)")).first {
            throw ReconFailure.refused("cannot rerun \(period): \(waiting); nothing was appended")
        }
        // It appends its held drops before its documents: a note's place taken refuses it before the first.
        if let said = LedgerFile.notesInTheWay(besideLedger: session.ledger.path) { throw ReconFailure.refused(said) }
        // Trimmed as drop text is (SPEC §2), so a retry with a stray space is still a retry.
        let reason = try PrivilegedRequest.reason(reason, saying: "the period is rerun")
        var args = ["period": period.description, "reason": reason]
        if let terms { args["terms"] = terms.rawValue }
        let signed = try PrivilegedRequest.sign(command: "rerun", args: args,
                                                keyFile: keyFile, session: session)
        // Its documents print the ledger the operator signed for, before the held drops below.
        let signedUnder = (seq: session.ledger.entries.count, head: session.ledger.headHash)
        // The checkpoint that must follow is signed with the site key: refuse now, not after appending.
        _ = try Checkpointer(site: session.site).loadSiteKey()
        // Its held drops' reports judged, and the period priced, under the terms asked for; the
        // terms each party was last billed on are kept to tell who `--terms now` changes.
        let billedTerms = session.state.billedTerms[period]
        if terms == .now { session.state.billOnTermsNow(period) }

        // A held drop it may not read refuses it first: rejected as unreadable, the rerun went on
        // without it, and issued final documents without its decisions.
        let heldDrops = HeldDrops(session: session)
        let unreadable = heldDrops.unreadable
        if !unreadable.isEmpty {
            throw ReconFailure.refused("cannot rerun \(period): " + unreadable.map { "Inbox/held/\($0.name)" }.joined(separator: ", ")
                + " cannot be read by the user recon runs as (\(String(cString: strerror(unreadable[0].code)))); nothing was appended — "
                + "give that user read access (`chmod g+r`, or save it readable by the Inbox's group), then run the rerun again")
        }
        // What blocks the rerun and no held drop can take away refuses before the held drops are
        // taken: taken, then refused, they (and the flags the terms now raised) stood in the
        // ledger with no rerun signed for them, and a flag raised on a mistyped limit blocked
        // every later rerun. Only a held decisions drop can settle a flag or leave out an
        // unpriced report, and only one naming it: the month is judged as the decisions waiting
        // would leave it at most (``requireNothingBlocking(_:unlessSettledBy:)``), and only when
        // that settles everything does the rerun take the drops and judge after.
        let waiting: (named: Set<String>, excluded: Set<String>)? = heldDrops.holdsDecisions ? heldDrops.heldDecisionSubjects : nil
        if terms == .now {
            let pending = FlagRaiser(session: session).pendingHardFlags(including: [period])
            let named = waiting?.named ?? []
            try Self.requireDecided(pending.filter { named.isDisjoint(with: [$0.id, $0.subject]) }, of: period, state: session.state)
        }
        try requireNothingBlocking(period, unlessSettledBy: waiting)

        // The drafts too: a held drop may have rows in an open month as well.
        session.derivedAfterAppend = [.review(period), .summary, .drafts]
        // Held drops of this period are applied first (each whole, as at ingest). Drops an earlier
        // rerun took but did not issue for (a hard flag, a crash) are this rerun's too.
        let earlier = session.state.awaitingRerun[period] ?? []
        // Stop signals are noted from before the held drops' entries, which stand once
        // appended: a signal there ended the rerun without a word (`Terminated`).
        session.holdSignals()
        let held = try HeldDrops(session: session).apply(period: period)
        // A rerun killed after a held drop's append, before its file left held/, finds it again as
        // already accepted: it is among `earlier`, not taken again.
        let taken = held.applied
        let applied = earlier + taken
        // Under `--terms now` a contract limit lowered since the close flags reports it billed:
        // raised now, so the ledger holds the flags its review shows (the review listed one the
        // ledger never raised, decided by an approve given before it), and decided before the
        // rerun issues — an approve given before a flag is raised does not decide it.
        // Flags the terms now would raise and nothing decides refuse before anything is appended,
        // when the rerun took no held drop: raised and then refused, they stood for good — a
        // mistyped limit, corrected, still blocked every rerun of the month.
        if terms == .now {
            let raiser = FlagRaiser(session: session)
            let pending = raiser.pendingHardFlags(including: [period])
            if taken.isEmpty { try Self.requireDecided(pending, of: period, state: session.state) }
            try raiser.raise(pending)
        }

        // The open months' drafts and reviews are written again, issued or not: a held drop may
        // have touched one, and their provisional soft findings are scored against the history
        // the rerun changes.
        defer {
            if !session.state.openPeriods.isEmpty || held.touchedOpenPeriod { Drafter(session: session).refresh() }
            else { session.derivedWritten([.drafts]) }
        }
        do {
            var result = try issue(period, reason: reason, signed: signed, applied: applied, terms: terms, billedTerms: billedTerms,
                                   issuedUnder: signedUnder)
            result.rejectedDrops = held.rejected
            result.takenEarlier = earlier
            return result
        } catch where !applied.isEmpty || !held.rejected.isEmpty {
            // What failed is this rerun's issue (a refusal, or a workbook it could not write on a
            // full disk); the held drops taken before it are in the ledger, and those it rejected
            // are in rejected/: said with the failure, whatever it was, under its own exit code.
            let code = ReconFailure.Code(rawValue: ReconFailure.exitCode(for: error)) ?? .usage
            var message = (error as? ReconFailure)?.message ?? "\(error)"
            if !applied.isEmpty {
                message += "\n" + Self.awaiting(taken: taken, earlier: earlier) + " in the ledger (`recon status` names them): run "
                    + "`recon rerun \(period)` again once the cause is fixed, and it issues for them"
            }
            if !held.rejected.isEmpty {
                message += "\nRejected, as they no longer pass the site's rules: " + held.rejected.joined(separator: ", ")
                    + " — see Inbox/rejected/NAME.errors.txt"
            }
            throw ReconFailure(code, message)
        }
    }

    /// Refuses, appending nothing, when the period as it stands (before its held drops) has
    /// something to settle first: what ``issue`` would refuse over after taking them.
    /// `held`: the subjects the held decisions drops name, and those they exclude, when any
    /// waits. What blocks is then refused only when it would stay once they are taken (a
    /// decision on another report, or an approve of a report without a price, settles nothing);
    /// with nothing held, anything that blocks refuses.
    private func requireNothingBlocking(_ period: Period, unlessSettledBy held: (named: Set<String>, excluded: Set<String>)? = nil) throws {
        let asIssued = pricingInIssuedCurrencies(period, from: pricingOnBilledTerms(period))
        var reviewer = Reviewer(session: session, pricing: asIssued.pricing)
        let review = reviewer.review(period, final: true)
        let blocking = review.blocking(closed: true)
        guard !blocking.isEmpty else { return }
        var left = 0
        if let held {
            // As the held decisions would leave the month at most: every report they exclude left
            // out, every flag they name decided.
            // An exclude names a report, or the hard flag raised on one: either leaves that report out.
            let hardFlags = review.hardFlags.map { ($0.flag.id, $0.flag.subject) }
                + session.state.raisedFlags.filter { $0.value.severity == .hard }.map { ($0.key, $0.value.subject) }
            reviewer.alsoExcluded = held.excluded.union(hardFlags.filter { held.excluded.contains($0.0) }.map(\.1))
            left = reviewer.review(period, final: true).blocking(closed: true, decided: held.named).count
            guard left > 0 else { return }
        }
        var message = "cannot rerun \(period): \(blocking.count) thing(s) to settle first (decisions for a closed period go in a "
            + "decisions drop, held until the rerun):\n" + blocking.map { "  " + $0 }.joined(separator: "\n")
            + "\nNothing was appended; drops waiting in Inbox/held/ stay there for the rerun"
            + (held == nil ? "" : " (the decisions waiting there, taken, would still leave \(left) of these: they name no flag or "
                + "report that settles \(left == 1 ? "it" : "them"))")
        // Drops an earlier rerun took before it was refused (or stopped) are this one's too: said, as when it takes them.
        if let earlier = session.state.awaitingRerun[period], !earlier.isEmpty {
            message += "\n" + Self.awaiting(taken: [], earlier: earlier) + " in the ledger (`recon status` names them): run "
                + "`recon rerun \(period)` again once the cause is fixed, and it issues for them"
        }
        throw ReconFailure.refused(message)
    }

    /// Refuses, appending nothing, when a hard flag of `period` the rerun would raise on the terms
    /// now has no decision: each named, with how to decide it (or to correct the contract).
    static func requireDecided(_ flags: [AuditFlag], of period: Period, state: SiteState) throws {
        let undecided = flags.filter { $0.period == period && state.hardDecision(flagId: $0.id, report: $0.subject, period: period) == nil }
        guard !undecided.isEmpty else { return }
        throw ReconFailure.refused("cannot rerun \(period) on the terms now: \(undecided.count) report(s) of it are over the limit of "
            + "the contract now, which the month was not billed on; nothing was appended:\n"
            + undecided.map { "  report \($0.subject) (\($0.code)): \($0.reason)" }.joined(separator: "\n")
            + "\nDecide each in a decisions drop naming the report (subject \(undecided[0].subject); approve bills it, exclude "
            + "leaves it out), which waits in Inbox/held/ for this rerun — no flag is raised yet, so a flag id names nothing; "
            + "or, if the contract's limit is wrong, drop the clients file corrected")
    }

    /// The seq from which a party's documents of a period (`mine`, in ledger order) are still
    /// live: what came before is settled. A rerun's reversal settles everything before it; so
    /// does a rerun reissuing a party whose documents already netted to zero (`recon credit`
    /// had credited them whole), which reverses nothing: its invoice is then the first live one.
    static func liveFrom(_ mine: [IssuedDocument], kind: DocumentKind, reversal: DocumentKind,
                         isOperatorCredit: (IssuedDocument) -> Bool) throws -> Int {
        var live = 0
        var net: [Currency: ExactDecimal] = [:]
        for d in mine {
            if d.kind == kind, net.values.allSatisfy(\.isZero) { live = d.seq }
            net[d.currency] = try (net[d.currency] ?? .zero) + d.signedTotal
            if d.kind == reversal, !isOperatorCredit(d) { live = d.seq + 1 }
        }
        return live
    }

    /// What a payee holds for a month once every statement and adjustment issued for it was
    /// followed, in order: a statement issued anew adds its total; a rerun's new statement (it
    /// replaces others) leaves the payee its total — it transfers what is left, or has what is
    /// over set off or repaid; an adjustment a rerun issued alone, with no new statement beside
    /// it, takes its amount back. One issued beside a new statement is that statement's to net.
    /// Counted as what the statements ever sent, a payee whose statement a rerun took back
    /// whole, then billed anew, was told to transfer nothing on the next and repay more; nil
    /// when the payee holds nothing.
    private func held(_ documents: [IssuedDocument]) throws -> ExactDecimal? {
        guard let first = documents.first else { return nil }
        let netted = Set(documents.compactMap(\.reversedBy))
        var held = first.currency.zero
        for d in documents.sorted(by: { $0.seq < $1.seq }) {
            switch d.kind {
            case .payout: held = d.replaces.isEmpty ? try held + d.total : d.total
            case .payoutAdjustment where !netted.contains(d.number): held = try held - d.total
            default: break
            }
        }
        return held > .zero ? held : nil
    }

    /// What the payee holds for the month in each currency other than its new statement's,
    /// converted at the period's rates where the site has them (``HeldElsewhere``).
    private func heldElsewhere(_ documents: [IssuedDocument], statement: DocumentDraft, pricing: PricingContext,
                               on date: LocalDate) throws -> [HeldElsewhere] {
        let others = Set(documents.map(\.currency)).subtracting([statement.currency]).sorted { $0.code < $1.code }
        return try others.compactMap { currency in
            guard let amount = try held(documents.filter { $0.currency == currency }) else { return nil }
            let converted = try? pricing.fx.convert(amount, from: currency, to: statement.currency, on: date)
            return HeldElsewhere(held: Money(amount, currency), converted: converted,
                                 quote: converted == nil ? nil : pricing.fx.quote(from: currency, to: statement.currency, on: date))
        }
    }

    /// What to tell of a client the rerun leaves alone whose reports, or revenue, per modality
    /// are not what its period's last record (the close's, or an earlier rerun's) counted: an
    /// excluded report and a late one at the same price, or a card moving prices between
    /// modalities, keep the total, so no document is issued (SPEC §5), and the invoice in
    /// force still lists what it billed. Nil when they are the same.
    static func movedLines(of client: String, in period: Period, recorded: [MarginRow], now: [ClientMargin],
                           invoice: IssuedDocument, base: Currency) -> String? {
        struct Billed: Equatable {
            var reports = 0
            var revenue = ExactDecimal.zero
        }
        func billed(_ rows: [MarginRow]) -> [String: Billed] {
            rows.filter { $0.clientId == client }.reduce(into: [:]) { out, row in
                out[row.modality, default: Billed()].reports += row.reports
                out[row.modality]!.revenue = (try? out[row.modality]!.revenue + row.revenue) ?? out[row.modality]!.revenue
            }
        }
        let before = billed(recorded), after = billed(now.first { $0.clientId == client }?.byModality ?? [])
        // Revenue is in the base currency: for a client billed in another, an exchange rate dropped
        // since moves it with nothing billed changed, so there only the reports are compared.
        let pricesCompared = invoice.currency == base
        guard !before.isEmpty, before.mapValues(\.reports) != after.mapValues(\.reports)
            || pricesCompared && before.mapValues(\.revenue.normalized) != after.mapValues(\.revenue.normalized) else { return nil }
        func listed(_ b: [String: Billed]) -> String {
            b.isEmpty ? "no report" : b.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.reports) for \(Digits.grouped($0.value.revenue))" }.joined(separator: ", ")
        }
        return "\(client): \(period) now bills \(listed(after)) \(base) (\(listed(before)) when the month was last closed or "
            + "rerun; reports and revenue in \(base) by modality), but its total is unchanged, \(Digits.grouped(invoice.total)) "
            + "\(invoice.currency): a rerun issues documents only for a changed total (SPEC §5), so \(invoice.number) stays in "
            + "force with its lines as issued; the review and the margin summary show the month as it now bills"
    }

    /// What to tell of a payee the rerun leaves alone whose lines are not its statement's: work
    /// moved between modalities or rate rows at the same total (an excluded report and a late
    /// one) leaves the statement in force describing what the month no longer pays for, as
    /// ``movedLines(of:in:recorded:now:invoice:base:)`` tells of a client. Nil when the lines are
    /// the same, or the statement's entry cannot be read.
    static func movedPayoutLines(of payee: String, in period: Period, statement: IssuedDocument, now fresh: DocumentDraft,
                                 session: SiteSession) -> String? {
        guard statement.seq >= 1, statement.seq <= session.ledger.entries.count,
              let record = try? DocumentRecord(entry: session.ledger.entries[statement.seq - 1]) else { return nil }
        func listed(_ lines: [DocumentLine]) -> String {
            // The ledger keeps `50`, a draft `50.00`: each unit amount as the statement prints it.
            lines.map { line in
                let unit = (try? line.unitAmount.normalized.widened(to: line.unitDigits)) ?? line.unitAmount
                return "\(line.modality), \(line.urgencyText): \(line.quantity) × \(Digits.grouped(unit)) \(line.unitCurrency) per \(line.per)"
            }.sorted().joined(separator: "; ")
        }
        let (was, now) = (listed(record.lines), listed(fresh.lines))
        guard was != now else { return nil }
        return "\(payee): \(period) now pays \(now) (\(was) on \(statement.number)), but its total is unchanged, "
            + "\(Digits.grouped(statement.total)) \(statement.currency): a rerun issues documents only for a changed total (SPEC §5), "
            + "so \(statement.number) stays in force with its lines as issued; the review and the margin summary show the month "
            + "as it now pays"
    }

    /// Whether a party's new document differs from the one it replaces only in its amounts: the
    /// same lines — modality, urgency, basis, quantity, unit price and its currency — in the same
    /// currency, converted at another rate. False when the billed entry cannot be read.
    static func changedThroughRatesOnly(_ billed: IssuedDocument, _ fresh: DocumentDraft, session: SiteSession) -> Bool {
        guard billed.currency == fresh.currency, billed.total != fresh.total, billed.seq >= 1,
              billed.seq <= session.ledger.entries.count,
              let record = try? DocumentRecord(entry: session.ledger.entries[billed.seq - 1]) else { return false }
        func key(_ l: DocumentLine) -> String {
            "\(l.modality)|\(l.urgencyText)|\(l.per)|\(l.quantity)|\(l.unitAmount.normalized)|\(l.unitCurrency.code)"
        }
        let (was, now) = (record.lines.map(key).sorted(), fresh.lines.map(key).sorted())
        // Lines in the document's own currency would have the same amounts: some line must be converted.
        return !was.isEmpty && was == now && fresh.lines.contains { $0.unitCurrency != fresh.currency }
    }

    /// The party's invoices (statements) of `kind` among `documents` that no later one replaced:
    /// after a rerun reversed them whole, what a new one for the month takes the place of.
    static func unreplaced(_ documents: [IssuedDocument], kind: DocumentKind) -> [String] {
        let replaced = Set(documents.flatMap(\.replaces))
        return documents.filter { $0.kind == kind && !replaced.contains($0.number) }.map(\.number)
    }

    /// Who took the drops a failed rerun leaves awaiting one: this rerun, an earlier one that stopped, or both.
    static func awaiting(taken: [String], earlier: [String]) -> String {
        func list(_ drops: [String]) -> String { drops.joined(separator: ", ") }
        switch (taken.isEmpty, earlier.isEmpty) {
        case (false, true): return "The drops this rerun took before, \(list(taken)), are"
        case (true, false): return "The drops an earlier rerun took and stopped before issuing for, \(list(earlier)), are"
        default: return "The drops this rerun took before, \(list(taken)), and those an earlier rerun took and stopped "
            + "before issuing for, \(list(earlier)), are"
        }
    }

    /// The site's pricing with each party that was issued a document for `period` priced in
    /// that document's currency (its latest invoice's, or statement's), not the one its master
    /// data names now, and whether any party's differs. Whether a party's total changed is
    /// judged in it: a party whose reports and cards did not change is left alone (SPEC §5: a
    /// rerun issues for the parties whose total changes), even if its currency did since.
    private func pricingInIssuedCurrencies(_ period: Period, from current: PricingContext) -> (pricing: PricingContext, differs: Bool) {
        var pricing = current
        var differs = false
        for d in session.state.issued where d.period == period {  // in ledger order: the latest wins
            switch d.kind {
            case .invoice:
                differs = differs || pricing.clients[d.partyId].map { $0.currency != d.currency } ?? false
                pricing.clients[d.partyId]?.currency = d.currency
            case .payout:
                differs = differs || pricing.radiologists[d.partyId].map { $0.currency != d.currency } ?? false
                pricing.radiologists[d.partyId]?.currency = d.currency
            default: break
            }
        }
        return (pricing, differs)
    }

    /// The site's pricing — cards and rates in force now (SPEC §5) — with each client and
    /// radiologist on the terms its latest documents of `period` were billed on (its close, or
    /// the rerun that last reissued it): tax rate and components, contract type and image
    /// limit, grade and seniority. A later clients drop (a new tax rate, a lower
    /// image limit) or a radiologist's later seniority is not the terms of supplies already
    /// billed: re-taxing March at April's rate reissued every client's March invoice for another
    /// client's late report, and a limit lowered in April flagged reports billed within it. A
    /// party the close did not know is as it is now. Each keeps its currency now
    /// (``pricingInIssuedCurrencies(_:from:)`` judges changes in the issued one).
    func pricingOnBilledTerms(_ period: Period) -> PricingContext {
        let state = session.state
        var pricing = state.pricing
        guard let billed = state.billedTerms[period] else { return pricing }
        pricing.clients.merge(billed.clients) { _, asBilled in asBilled }
        pricing.radiologists.merge(billed.radiologists) { _, asBilled in asBilled }
        for (id, client) in state.pricing.clients { pricing.clients[id]?.currency = client.currency }
        for (id, radiologist) in state.pricing.radiologists { pricing.radiologists[id]?.currency = radiologist.currency }
        return pricing
    }

    /// Whether what an invoice prints of its client's terms differs: its tax components and
    /// rates, or its PO number. (What moves only the amounts moves the total.)
    static func printedTermsDiffer(_ billed: Client?, _ now: Client?) -> Bool {
        guard let billed, let now else { return false }
        return billed.effectiveTaxComponents != now.effectiveTaxComponents || billed.taxRate != now.taxRate
            || billed.poNumber != now.poNumber
    }

    /// Who the rerun's documents are addressed to: each party as it is now (name, address, tax
    /// id, terms of payment, bank details), with the PO number its month was billed under, which
    /// accounts payable match the replacement invoice to.
    func documentParties(_ period: Period, terms: Terms? = nil) -> PricingContext {
        var parties = session.state.pricing
        for (id, client) in session.state.billedTerms[period]?.clients ?? [:] { parties.clients[id]?.poNumber = client.poNumber }
        // A payee's grade and seniority as its statement was priced: on the terms the month
        // closed under, unless `--terms now` (it printed today's grade beside the closed rates).
        if terms != .now {
            for (id, radiologist) in session.state.billedTerms[period]?.radiologists ?? [:] {
                parties.radiologists[id]?.grade = radiologist.grade
                parties.radiologists[id]?.seniorityYears = radiologist.seniorityYears
            }
        }
        return parties
    }

    /// The period as it stands billed after the rerun: each party in `reissued` as `now` prices
    /// it (its new document, in its currency now), every other one as `book` (in the currency its
    /// standing document was issued in). SPEC §3 takes a client's revenue from its invoice: a
    /// client moved from USD to EUR and billed anew in EUR has the EUR invoice's margin.
    static func billed(_ book: PeriodBook, reissued: Set<String>, from now: PeriodBook) -> PeriodBook {
        // Each party's entry from the book that bills it, in party order as the pricer lists them.
        func merged<T>(_ old: [T], _ new: [T], party: (T) -> String) -> [T] {
            (old.filter { !reissued.contains(party($0)) } + new.filter { reissued.contains(party($0)) }).sorted { party($0) < party($1) }
        }
        var billed = book
        billed.margins = merged(book.margins, now.margins, party: \.clientId)
        billed.invoices = merged(book.invoices, now.invoices, party: \.partyId)
        billed.payouts = merged(book.payouts, now.payouts, party: \.partyId)
        return billed
    }

    private func issue(_ period: Period, reason: String, signed: PrivilegedRequest, applied: [String], terms: Terms?,
                       billedTerms: SiteState.PartyTerms?, issuedUnder: (seq: Int, head: String)) throws -> Result {
        let state = session.state
        let onBilledTerms = pricingOnBilledTerms(period)
        let asIssued = pricingInIssuedCurrencies(period, from: onBilledTerms)
        let review = Reviewer(session: session, pricing: asIssued.pricing).review(period, final: true)
        // A party whose total changed gets its new document in its currency now (SPEC §3: an
        // invoice is in the client's currency): priced again only when some currency changed.
        let now = asIssued.differs ? Reviewer(session: session, pricing: onBilledTerms).price(period, final: true) : review.book
        let blocking = review.blocking(closed: true)
        if !blocking.isEmpty {
            if !applied.isEmpty {
                // The held drops and their flags are in: the period's review shows what now blocks it.
                let written = DerivedOutput(session: session).writeReview(review, comesBack: .nextWritingCommand)
                session.derivedWritten(written: [.review(period): written, .summary: true])
            }
            throw ReconFailure.refused("cannot rerun \(period): \(blocking.count) thing(s) to settle first (decisions for a closed period go in a decisions drop, held until the rerun):\n"
                + blocking.map { "  " + $0 }.joined(separator: "\n"))
        }
        var items: [DocumentIssuer.Item] = []
        var unpriced: [String] = []
        // The parties billed anew from `now`, in their currency now: what the ledger records of
        // their margins and statistics is that document's.
        var reissued = Set<String>()
        // Clients whose goodwill credits the rerun's reversal absorbs, said once it is issued.
        var concessions: [String] = []
        // Clients whose reports moved between modalities with their total the same: left alone
        // (SPEC §5), their invoice in force no longer lists what the month now bills; said once issued.
        var linesMoved: [String] = []
        // Parties reissued though their lines are as billed: only a rate to another currency moved.
        var throughRates: [String] = []
        let recordedRows = (try? state.closedMargins[period]?.rows()) ?? []
        let sides: [(DocumentKind, DocumentKind, [DocumentDraft], [DocumentDraft])] = [
            (.invoice, .creditNote, review.book.invoices, now.invoices), (.payout, .payoutAdjustment, review.book.payouts, now.payouts),
        ]
        for (kind, reversal, drafts, nowDrafts) in sides {
            let byParty = Dictionary(uniqueKeysWithValues: drafts.map { ($0.partyId, $0) })
            let nowByParty = Dictionary(uniqueKeysWithValues: nowDrafts.map { ($0.partyId, $0) })
            let issued = state.issued.filter { $0.period == period && ($0.kind == kind || $0.kind == reversal) }
            let parties = Set(issued.map(\.partyId)).union(byParty.keys).sorted()
            for party in parties {
                let mine = issued.filter { $0.partyId == party }
                let fresh = byParty[party]
                // A rerun's reversal (or a reissue at zero, ``liveFrom``) settles everything issued
                // before it. What the party is billed at its last pricing is its latest invoice
                // (statement), unless a reversal followed it. A credit note issued by `recon credit`
                // (goodwill, a dispute) is not a change of price: a rerun that reprices the party
                // the same leaves it, and the party, alone.
                let live = try Self.liveFrom(mine, kind: kind, reversal: reversal, isOperatorCredit: isOperatorCredit)
                let billed = mine.last { $0.kind == kind }.flatMap { $0.seq >= live ? $0 : nil }
                let billedAmount = billed?.total ?? .zero, freshAmount = fresh?.total ?? .zero
                // Under `--terms now`, a client whose printed terms changed (its tax split, its PO)
                // is reissued though its total is the same: that is what the correction is for.
                // So is a client or radiologist whose currency was corrected (SPEC §3: an invoice is
                // in the client's currency, a statement in the radiologist's): its documents are
                // reversed in the currency they were issued in and issued anew in its currency now.
                let termsChanged = terms == .now && kind == .invoice
                    && Self.printedTermsDiffer(billedTerms?.clients[party], onBilledTerms.clients[party])
                let currencyChanged = terms == .now && billed != nil && nowByParty[party].map { $0.currency != billed?.currency } == true
                if billedAmount == freshAmount && (fresh == nil || billed == nil || fresh?.currency == billed?.currency)
                    && !termsChanged && !currencyChanged {
                    if kind == .invoice, let billed, let moved = Self.movedLines(of: party, in: period, recorded: recordedRows,
                                                                              now: review.book.margins, invoice: billed,
                                                                              base: state.pricing.base) {
                        linesMoved.append(moved)
                    }
                    if kind == .payout, let billed, let fresh, let moved = Self.movedPayoutLines(of: party, in: period, statement: billed,
                                                                                              now: fresh, session: session) {
                        linesMoved.append(moved)
                    }
                    continue  // unchanged: nothing to issue
                }
                if let billed, let fresh, Self.changedThroughRatesOnly(billed, fresh, session: session) {
                    throughRates.append("\(party) (\(billed.number), \(Digits.grouped(billed.total)) → \(Digits.grouped(fresh.total)) "
                        + "\(fresh.currency))")
                }
                // Changed: its new document is priced in its currency now, which must price whole.
                let problems = now.problems.filter { $0.subject == party && $0.side == kind }
                if !problems.isEmpty {
                    unpriced += problems.map { "\($0.code.rawValue) \($0.message)" }
                    continue
                }
                // What is reversed is owed in the currency it was billed in; documents of the
                // period in another (a rerun by an earlier version re-billed a party whose
                // currency had changed) must already be settled among themselves.
                let currency = billed?.currency ?? mine.last?.currency ?? fresh?.currency
                let (current, other) = (mine.filter { $0.currency == currency }, mine.filter { $0.currency != currency })
                // Each other currency on its own: a party moved twice (USD, then INR, then EUR) has
                // documents in two, and their net together refused every later rerun of the month.
                for group in Dictionary(grouping: other, by: \.currency).values {
                    guard let owed = try Outstanding.net(group), !owed.amount.isZero else { continue }
                    throw ReconFailure.refused("\(party)'s documents of \(period) in \(owed.currency) are not settled among themselves "
                        + "(\(owed.amount) outstanding) beside those in \(currency?.code ?? "?") it reverses; credit them with "
                        + "`recon credit` first, then rerun")
                }
                let given = current.filter { isOperatorCredit($0) && $0.seq >= live }
                // The invoices (statements) still owed on: what a reversal names, and a new one replaces.
                let liveOriginals = current.filter { $0.kind == kind && $0.seq >= live }.map(\.number)
                if kind == .invoice, !given.isEmpty, let fresh = nowByParty[party] {
                    // SPEC §3: the reversal credits what remains, and the new invoice bills the month
                    // whole: a concession `recon credit` gave on the old invoice is not carried over.
                    concessions.append("\(party): \(given.map { "\($0.number) (\($0.total) \($0.currency))" }.joined(separator: ", ")) "
                        + "credited \(billed?.number ?? "its invoice") before this rerun, which reverses what remains and bills "
                        + "\(period) anew in full (\(fresh.total) \(fresh.currency)): if that concession still stands, give it again "
                        + "on the new invoice with `recon credit`")
                }
                var reversing: (draft: DocumentDraft, refersTo: [String])?
                if let outstanding = try Outstanding.net(current), !outstanding.amount.isZero {
                    let credit = try Outstanding.reversal(of: current, open: liveOriginals, kind: reversal, net: outstanding, session: session)
                    var item = DocumentIssuer.Item(credit.draft, refersTo: credit.refersTo.joined(separator: ", "), reason: reason)
                    // A month taken back whole, no new invoice: what the client paid for it is now
                    // its credit, which the credit note says (it said only where a balance is paid).
                    if kind == .invoice, nowByParty[party] == nil {
                        (item.accountCredit, item.accountChanges) = try AccountAtIssue(session: session)
                            .afterCreditNote(credit.draft, refersTo: credit.refersTo, of: party)
                    }
                    items.append(item)
                    reversing = credit
                }
                if let fresh = nowByParty[party] {
                    // It takes the place of the party's live documents of the period, reversed above
                    // (or brought to zero by `recon credit` before): printed, so it reads as a
                    // replacement, not a second bill (payment) for the month.
                    // A new payout statement: what the statements it replaces paid the payee, which
                    // its adjustment takes back, so it says what is left to transfer.
                    // A month billed anew after an earlier rerun reversed the party's documents whole
                    // (none live now) takes the place of the last of them the same way: issued as a
                    // new bill, it asked a client who had paid the month, and in credit, to pay again.
                    let replaced = liveOriginals.isEmpty ? Self.unreplaced(current, kind: kind) : liveOriginals
                    let received = kind == .invoice ? try AccountAtIssue(session: session).reckon(new: fresh, replacing: replaced, reversal: reversing, of: party) : nil
                    let elsewhere = kind == .invoice ? [] : try heldElsewhere(mine, statement: fresh, pricing: onBilledTerms, on: now.fxDate)
                    // A payee whose earlier statements adjustments took back whole holds nothing for
                    // the month: said (transfer the total), where the statement said nothing of it.
                    let held = kind == .invoice ? nil : try held(mine.filter { $0.currency == fresh.currency })
                        ?? (replaced.isEmpty || !elsewhere.isEmpty ? nil : fresh.currency.zero)
                    var item = DocumentIssuer.Item(fresh, reason: reason, replaces: replaced.isEmpty ? nil : replaced,
                                                   paidBefore: kind == .invoice ? received?.paid : held, accountCredit: received?.credit ?? [],
                                                   heldElsewhere: elsewhere, accountChanges: received?.changes ?? [])
                    // A client's first invoice for the month (the close issued it none) is a close's
                    // invoice: what the account sets against it is its credit (it asked for its total
                    // while saying the credit beside it already counted it paid).
                    if kind == .invoice, replaced.isEmpty {
                        (item.paidBefore, item.creditApplied, item.creditMoved) = (nil, received?.paid, received?.moved)
                    }
                    items.append(item)
                    reissued.insert(party)
                }
            }
        }
        if !unpriced.isEmpty {
            throw ReconFailure.refused("cannot rerun \(period): \(unpriced.count) thing(s) to settle first — a party whose total "
                + "changed is billed anew in its currency now:\n" + unpriced.map { "  " + $0 }.joined(separator: "\n"))
        }
        let recorded = asIssued.differs ? Self.billed(review.book, reissued: reissued, from: now) : review.book
        let stats = asIssued.differs ? AuditorRun.stats(book: recorded, state: state) : review.stats
        var numbers: [String] = []
        try Checkpointer(site: session.site).requireCanWrite()
        // The period's reports as repriced (with its held drops), settled again.
        session.holdSignals()
        let index = ClosedIndexEncoding(period: period, state: state, site: session.site)
        defer { index.discard() }
        session.holdSignals { index.discard() }
        let issuer = DocumentIssuer(session: session, parties: documentParties(period, terms: terms), issuedUnder: issuedUnder)
        try issuer.issue(items, period: period) { issuing in
            numbers = issuing.numbers
            var body = signed.bodyMembers
            body["period"] = .string(period.description)
            body["reason"] = .string(reason)
            // Recorded always, so the ledger says which terms each rerun billed on.
            body["terms"] = .string((terms ?? .closed).rawValue)
            body["documents"] = .array(issuing.numbers.map { .string($0) })
            body["applied_drops"] = .array(applied.map { .string($0) })
            body["stats"] = PartyStatsCodec.encode(stats)
            body["margins"] = MarginCodec.encode(recorded.margins)
            if let sha = index.sha256() { body["report_index_sha256"] = .string(sha) }
            return [LedgerEvent.rerun(.init(period: period, members: body)).item]
        }
        index.commit()
        session.indexWritten(period)
        for c in concessions { session.log.warning("\(c)") }
        for m in linesMoved { session.log.warning("\(m)") }
        if !throughRates.isEmpty {
            // Issued under the operator's reason, which may name another party: said, with why.
            let message = "\(throughRates.joined(separator: ", ")): reissued only because an exchange rate in force for \(period) "
                + "changed since it was billed (an fx_rates row dated in it, dropped later): their lines, reports and unit prices "
                + "are as billed, their amounts converted at the rate now in force (SPEC §3); their documents carry this rerun's "
                + "reason, \u{201C}\(reason)\u{201D} — tell them why if it does not say"
            session.log.warning("\(message)")
        }
        // A rerun that changed no total issues nothing: its entries are recorded, no document issued.
        let checkpointer = numbers.isEmpty ? Checkpointer(site: session.site, recorded: "entries are recorded (it issued no "
            + "document) — do not run it again") : Checkpointer(site: session.site)
        let checkpoint = try checkpointer.writeAfterAppend(session, siteName: session.state.name)
        // The rerun is recorded: what follows is derived, and a failure is a warning (``DerivedOutput``).
        let reviewWritten = DerivedOutput(session: session).writeReview(review, comesBack: .nextWritingCommand)
        // With open months, the refresh that ends the rerun writes the summary beside their drafts.
        if session.state.openPeriods.isEmpty {
            let summaryWritten = MarginSummaryWriter(session: session).writeDerived()
            session.derivedWritten(written: [.review(period): reviewWritten, .summary: summaryWritten])
        } else {
            session.derivedWritten(written: [.review(period): reviewWritten])
        }
        return Result(period: period, appliedDrops: applied, documents: numbers, checkpoint: checkpoint)
    }
}
