import Foundation

/// `recon close YYYY-MM` (SPEC §5): refuses while anything blocks, else issues the final
/// invoices and payout statements, appends `period.closed` and writes a signed checkpoint.
public struct Closer {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public struct Result {
        public var period: Period
        public var documents: [String]
        public var checkpoint: String?
        public var review: PeriodReview
    }

    /// Why `period` cannot close yet on `today` (site time), or nil once its last day has ended.
    static func notEnded(_ period: Period, today: LocalDate, zone: String) -> String? {
        guard today <= period.lastDay else { return nil }
        return "its last day, \(period.lastDay), has not ended in the site's time zone (\(zone); today is \(today)); "
            + "close it from \(period.next.firstDay) on"
    }

    /// A close refused for its flags writes the period's review again before it says so: its
    /// provisional soft scores read the month's volume per elapsed day, so on a later day the
    /// refusal named a soft flag the review, written at the last ingest or decision, did not
    /// show — the workbook a reviewer decides from. Only a derived workbook: nothing is appended.
    static func writeProvisionalReview(_ session: SiteSession, period: Period) {
        let reviewer = Reviewer(session: session)
        let book = reviewer.price(period, final: false)
        let review = reviewer.scored(period, book: book, gated: reviewer.gate(period, book: book), final: false)
        DerivedOutput(session: session).writeReview(review, comesBack: .nextIngest)
    }

    /// What a close says of invoices it issues without the seller's details (SPEC §1 allows it):
    /// a hospital cannot pay a numbered tax invoice that names no account, and it is never
    /// edited — only `recon status` said so. Nil when there is nothing to say.
    static func sellerWarning(_ seller: SellerDetails?, invoices: Int) -> String? {
        guard invoices > 0 else { return nil }
        let these = invoices == 1 ? "the invoice this close issues names" : "the \(invoices) invoices this close issues name"
        guard let seller else {
            return "recon.toml has no [seller]: \(these) only the site — no legal name, address, tax id or payment instructions, "
                + "so a hospital has nothing to pay into; issued documents are never edited (a rerun or credit reissues them): "
                + "add [seller] to recon.toml before the next close"
        }
        guard seller.paymentInstructions.isEmpty else { return nil }
        return "[seller] in recon.toml has no payment_instructions: \(these) no account to pay into; issued documents are never "
            + "edited: add payment_instructions before the next close"
    }

    /// The refusal of a close, with everything to settle first, one line each (SPEC §5).
    static func cannotClose(_ period: Period, _ blocking: [String]) -> ReconFailure {
        ReconFailure.refused("cannot close \(period): \(blocking.count) thing\(blocking.count == 1 ? "" : "s") to settle first:\n"
            + blocking.map { "  " + $0 }.joined(separator: "\n"))
    }

    /// `recon.toml`'s soft-gate settings as `period.closed` records them: the threshold as a
    /// decimal string (no JSON number but integers in a body), and `block_on_soft`.
    static func auditorSettings(_ config: SiteConfig) -> JSONValue {
        var threshold = String(format: "%.12f", AuditorRun.gateConfig(config).scoreThreshold)
        while threshold.hasSuffix("0") { threshold.removeLast() }
        if threshold.hasSuffix(".") { threshold.removeLast() }
        return .object(["soft_threshold": .string(threshold), "block_on_soft": .bool(config.blockOnSoft)])
    }

    /// Drops waiting in the Inbox, not yet ingested: one could hold the month's reports,
    /// decisions, cards, rates or party details, and once the month is closed what it holds for
    /// it would wait for a signed rerun. A payments drop belongs to no period, and a name of no
    /// drop kind (`notes.txt`) is rejected whole by the ingest: neither holds the close. One line.
    /// `rerun`: said for a rerun, which would otherwise apply without them.
    static func waitingInInbox(_ session: SiteSession, period: Period, rerun: Bool = false) -> [String] {
        // No Inbox at all (a cleanup, a restore from a zip without its empty folders): nothing
        // can be seen waiting, which is not the same as nothing waiting — said, not taken for empty.
        if FileStatus.of(session.site.inbox) == nil {
            return ["Inbox/ is missing, so whether a drop for \(period) waits to be ingested cannot be seen: make it again "
                + "(`mkdir Inbox`), put back any drop that was in it, run `recon ingest`, then \(rerun ? "rerun" : "close") \(period)"]
        }
        let entries = session.ledger.entries
        let names = waitingDrops(session.site) { sha, kind in
            session.state.acceptedDrops[sha].map { Ingestor.kind(acceptedAt: $0, in: entries) == kind } ?? false
        }.map { SafeText.escaped($0) }
        guard !names.isEmpty else { return [] }
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        let (one, holds) = (names.count == 1, names.count == 1 ? "it holds" : "they hold")
        let then = rerun ? "(what \(holds) for \(period) is held for the rerun), then rerun \(period) — the rerun would otherwise "
            + "apply without \(one ? "it" : "them"), and what \(holds) for \(period) wait for another signed rerun"
            : "then close \(period) — what \(holds) for \(period) would otherwise wait for a signed `recon rerun \(period)`"
        return ["Inbox/ holds \(one ? "a drop" : "\(names.count) drops") not yet ingested (\(shown)): run `recon ingest` first "
            + "\(then) — or move \(one ? "it" : "them") out of Inbox/"]
    }

    /// Drops the ledger no longer holds though their caches say they were taken (`.recon/cache/
    /// SHA.bin` of no `drop.accepted`), their bytes waiting nowhere: a `Ledger/` restored alone
    /// from a backup older than them lost their entries and archives. The close went on without
    /// their reports, a warning its only word; it refuses (exit 3) until the drop is dropped again
    /// or its cache deleted on purpose. One line each, at most a few named.
    public static func lostDrops(_ session: SiteSession, then: String = "then close") -> [String] {
        let site = session.site, accepted = session.state.acceptedDrops
        let orphans = Verifier.orphanCacheDrops(in: site) { accepted[$0] != nil }
        guard !orphans.isEmpty else { return [] }
        // One whose bytes wait to be ingested (an ingest stopped before its entry) is no loss.
        let waiting = Set((Ingestor.inboxEntries(site).drops + HeldDrops.heldDrops(in: site).map { site.held + "/" + $0 })
            .compactMap(Ingestor.sha256(ofDrop:)))
        let lost = orphans.filter { !waiting.contains($0) }
        guard let first = lost.first else { return [] }
        let more = lost.count > 1 ? " and \(lost.count - 1) more" : ""
        return [".recon/cache/\(first).bin\(more): the cache of a drop the ledger does not hold, whose bytes wait nowhere — a Ledger/ "
            + "restored from a backup older than that drop lost its entry and archive (Ledger/drops/\(first).csv), and its reports "
            + "would be on no document: drop that file into Inbox/ again and ingest it, or, if it is not wanted, delete the cache; "
            + then]
    }

    /// An Inbox file holding the bytes of a drop already accepted (a command stopped after the
    /// drop's entry, before it took the file out) is no drop waiting: the close said "not yet
    /// ingested" and refused. It goes, as the next ingest would take it out as a duplicate.
    /// One the Inbox will not let go (a read-only folder) is said, and holds the close no more
    /// than when it went: following "run `recon ingest` first" had the user run it in a loop.
    static func removeAcceptedCopies(_ session: SiteSession) {
        for (path, seq) in Ingestor.acceptedCopies(Ingestor.inboxEntries(session.site).drops, state: session.state,
                                                          entries: session.ledger.entries) {
            let name = "Inbox/\(SafeText.escaped(FileIO.baseName(path)))"
            do {
                try FileIO.removeChecked(path)
                session.log.notice("\(name): the same bytes were accepted at seq \(seq) (a command stopped before it took the file out); removed")
            } catch let failure as FileIO.Failure {
                let message = "\(name): the same bytes were accepted at seq \(seq), but it could not be removed "
                    + "(\(failure.reason)): it is no drop waiting — make Inbox/ writable for this user, or move it out"
                session.log.warning("\(message)")
            } catch {}
        }
    }

    /// The Inbox's drops that hold every close until ingested (``waitingInInbox(_:period:)``):
    /// not those whose bytes are recorded already (`isRecorded`, by SHA-256), which the close
    /// takes out. Only files of a kind that holds a close are read.
    static func waitingDrops(_ site: Site, isRecorded: (_ sha: String, _ kind: DropKind) -> Bool) -> [String] {
        Ingestor.inboxEntries(site).drops.filter { holdsClose($0, named: FileIO.baseName($0), isRecorded: isRecorded) }.map(FileIO.baseName)
    }

    /// Whether the file at `path`, a drop named `name` (a drop set aside is read under a hidden
    /// name), holds every close: of a kind that does, its bytes not recorded as that kind (the
    /// same bytes taken as another kind, one export holding two kinds' columns, are another
    /// drop: taken for a leftover, a month closed without the usage its Inbox held).
    static func holdsClose(_ path: String, named name: String, isRecorded: (_ sha: String, _ kind: DropKind) -> Bool) -> Bool {
        guard let kind = DropKind(fileName: name), kind != .payments else { return false }
        return !(Ingestor.sha256(ofDrop: path).map { isRecorded($0, kind) } ?? false)
    }

    /// A `recon.toml` gone (deleted, not restored with the site) while the invoices issued so
    /// far carry the seller's details: final invoices would go out without the seller's legal
    /// name, address and tax id, which a hospital's payables need. Refused (exit 3) before
    /// anything is made; a site that means to issue without them keeps a `recon.toml` without `[seller]`.
    static func requireSellerKept(_ session: SiteSession) throws {
        let site = session.site
        // Gone, or emptied (what an editor killed mid-save leaves): not a decision to drop [seller].
        let emptied = (try? FileIO.read(site.configFile)).map { String(decoding: $0, as: UTF8.self).allSatisfy(\.isWhitespace) } ?? false
        guard (!FileIO.exists(site.configFile) && !FileIO.isSymbolicLink(site.configFile)) || emptied else { return }
        // Any invoice that went out with one, not only the latest: a month closed without [seller]
        // since does not make a lost file a decision (a credit note on the earlier invoice would
        // go out without the seller it carries).
        let entries = session.ledger.entries
        guard let last = session.state.issued.last(where: { invoice in
            guard invoice.kind == .invoice, invoice.seq >= 1, invoice.seq <= entries.count else { return false }
            return (try? entries[invoice.seq - 1].whole())?.body["seller"] != nil
        }) else { return }
        throw ReconFailure.refused("\(site.configFile) is \(emptied ? "empty" : "missing"), and with it the [seller] that \(last.number) "
            + "carries: the documents would go out without the seller's legal name, address and tax id — put recon.toml "
            + "back (from a backup), then run the command again")
    }

    public func close(_ period: Period) throws -> Result {
        try session.requireCheckedDrops()  // never a number from the cache
        let state = session.state
        if let seq = state.closedPeriods[period] {
            throw ReconFailure.refused("\(period) is already closed (seq \(seq)); corrections go through `recon rerun` or `recon credit`")
        }
        let now = Timestamp(nanoseconds: Int64(session.clock.now().timeIntervalSince1970.rounded(.down)) * 1_000_000_000)
        let today = state.zone.localDate(of: now)
        // Reports of this month held in a drop that also touches a closed one, and drops waiting in
        // the Inbox: refused before any folder is made, with whatever else blocks.
        Self.removeAcceptedCopies(session)
        let held = HeldDrops(session: session).blockingClose(of: period) + Self.waitingInInbox(session, period: period)
            + Self.lostDrops(session)
        if let running = Self.notEnded(period, today: today, zone: state.zone.identifier) {
            // With the list (SPEC §5): what else must be settled is said now, not after the wait.
            let blocking = [running] + held + Reviewer(session: session).review(period, final: true).blocking
            throw Self.cannotClose(period, blocking)
        }
        if !held.isEmpty {
            let blocking = held + Reviewer(session: session).review(period, final: true).blocking
            throw Self.cannotClose(period, blocking)
        }
        try Self.requireSellerKept(session)
        // The checkpoint that must follow is signable (the site's own key reads) before anything is made.
        try Checkpointer(site: session.site).requireCanWrite()
        // The other open months' provisional soft findings are scored against the history this
        // close settles: their drafts and reviews are written again after it (owed if it stops).
        let othersOpen = state.openPeriods.contains { $0 != period }
        session.derivedAfterAppend = othersOpen ? [.review(period), .summary, .drafts] : [.review(period), .summary]
        let review = Reviewer(session: session).review(period, final: true)
        try Self.requireDecisionsOfPeriod(review.softFlags, decisions: state.flagDecisions)
        let blocking = review.blocking
        if !blocking.isEmpty {
            Self.writeProvisionalReview(session, period: period)
            throw Self.cannotClose(period, blocking)
        }
        if let unpayable = Self.sellerWarning(session.config.seller, invoices: review.book.invoices.count) {
            session.log.warning("\(unpayable)")
        }
        // Only now: the check makes the documents' folders, and a close refused for its flags
        // left them empty beside the drafts, as if a close had half run.
        try OutboxCheck(site: session.site).requireWritable(period: period)
        // The other open months' drafts and reviews are written again after the entries.
        try OutboxCheck(site: session.site).requireDerivedPlaces(periods: state.openPeriods.filter { $0 != period })
        // The period's reports, settled, for later commands to look up instead of reading its
        // drops: encoded beside the documents. Not beside the pricing, which uses both cores and
        // whose working memory would add to the encoding's (a 4M month's close: 750 -> 720 MB).
        let reports = state.periodReports[period]?.count ?? 0
        if reports == 0 {
            // Legal, and for good: a mistyped year (2016 for 2026) would lock a month no report was ever in.
            let message = "\(period) holds no report: it is closed with no document, and usage for it will wait for a signed "
                + "`recon rerun \(period)` — if the period was mistyped, the close cannot be undone"
            session.log.warning("\(message)")
        }
        if let rejected = RejectedDrops.closeWarning(session.site, period: period, zone: state.zone) {
            session.log.warning("\(rejected)")
        }
        FreedMemory.giveBack()
        // A stop signal from here is noted and ends the close at its append, what it wrote for
        // the append removed (``SignalHold``).
        session.holdSignals()
        let index = ClosedIndexEncoding(period: period, state: state, site: session.site, parallel: reports >= 2_000_000)
        defer { index.discard() }
        // A close interrupted after some documents were appended resumes: those parties keep
        // what was issued, the rest are issued now, and the period closes.
        let earlier = state.issued.filter { $0.period == period && ($0.kind == .invoice || $0.kind == .payout) }
        let done = Set(earlier.map { "\($0.kind.rawValue)|\($0.partyId)" })
        // A client with payments may be in credit: its invoice says what the account sets against it.
        let paying = Set(state.payments.map(\.clientId)), account = AccountAtIssue(session: session)
        let items = try (review.book.invoices + review.book.payouts)
            .filter { !done.contains("\($0.kind.rawValue)|\($0.partyId)") }
            .map { draft in
                var item = DocumentIssuer.Item(draft)
                // What earlier adjustments took back from the payee is set off against this statement.
                if draft.kind == .payout { item.setOff = PayeeSetOff.owed(by: draft.partyId, in: draft.currency, issued: state.issued) }
                if draft.kind == .invoice, paying.contains(draft.partyId) {
                    let reckoned = try account.reckon(new: draft, replacing: [], reversal: nil, of: draft.partyId)
                    (item.creditApplied, item.creditMoved) = (reckoned.paid, reckoned.moved)
                    (item.accountCredit, item.accountChanges) = (reckoned.credit, reckoned.changes)
                }
                return item
            }
        if !earlier.isEmpty { session.log.warning("resuming the interrupted close of \(period): \(earlier.count) documents were already issued") }
        var numbers = earlier.map(\.number)
        var prefix: LedgerPrefixWriter?
        defer { prefix?.discard() }
        session.holdSignals { index.discard(); prefix?.discard() }
        try Stages.time("issue") { try DocumentIssuer(session: session).issue(items, period: period) { issuing in
            numbers += issuing.numbers
            // The final soft flags enter the ledger in the close's own append, before
            // `period.closed`: the ledger's soft flags of the period are its final review's.
            let flags = FlagRaiser.raisedEntries(review.softFlags.map(\.flag).filter { state.raisedFlags[$0.id] == nil })
            // Every entry before its period.closed, as later commands read them — those the close
            // opened on and those it appends before it — vouched for by that entry.
            prefix = LedgerPrefixWriter.prepare(session.ledger, appending: issuing.entries + flags, at: issuing.at,
                                                site: session.site)
            var closed = LedgerEvent.PeriodClosed(period: period, documents: numbers,
                                                  stats: PartyStatsCodec.encode(review.stats),
                                                  margins: MarginCodec.encode(review.book.margins),
                                                  reportIndexSha256: Stages.time("report-index-wait") { index.sha256() },
                                                  ledgerPrefixSha256: prefix?.sha256)
            closed.auditor = Self.auditorSettings(session.config)
            return flags + [LedgerEvent.periodClosed(closed).item]
        } }
        index.commit()
        session.indexWritten(period)
        prefix?.commit()
        let checkpoint = try Stages.time("checkpoint") { try Checkpointer(site: session.site).writeAfterAppend(session, siteName: state.name) }
        for line in Self.owedInOtherCurrencies(review.book.payouts, issued: state.issued, period: period) {
            session.log.warning("\(line)")
        }
        let left = ClosedDrafts.remove(period, in: session.site)
        if !left.isEmpty { session.log.warning("\(ClosedDrafts.leftWarning(period, names: left))") }
        // The period is closed: what follows is derived, and a failure is a warning (``DerivedOutput``).
        let reviewWritten = Stages.time("review-workbook") {
            DerivedOutput(session: session).writeReview(review, comesBack: .nextWritingCommand)
        }
        if othersOpen {
            // With the margin summary, which holds the open months too.
            session.derivedWritten(written: [.review(period): reviewWritten])
            Drafter(session: session).refresh()
        } else {
            let summaryWritten = Stages.time("margin-summary") { MarginSummaryWriter(session: session).writeDerived() }
            session.derivedWritten(written: [.review(period): reviewWritten, .summary: summaryWritten])
        }
        return Result(period: period, documents: numbers, checkpoint: checkpoint, review: review)
    }
}

extension Closer {
    /// A decision given for a provisional soft flag applies when the close raises it (SPEC §4),
    /// and is of the flag's period (its id is). One recording another period was written by
    /// hand (recon writes the flag's): the close would raise the flag with it and sign over it.
    static func requireDecisionsOfPeriod(_ flags: [PeriodReview.FlagState], decisions: [String: DecisionRecord]) throws {
        for f in flags {
            guard let d = decisions[f.flag.id], d.period != f.flag.period else { continue }
            throw LedgerDamage(seq: d.seq, "flag.decided \(f.flag.id) records the period \(d.period?.description ?? "(none)"), but the "
                + "flag is of \(f.flag.period); a flag's id is of one period, and a decision of it is of that period; recon writes no "
                + "such entry — nothing is raised or issued over it")
        }
    }

    /// What each payee paid by this close still owes back in a currency it is no longer paid in:
    /// a statement sets off only what is owed in its own currency (``PayeeSetOff``), so after a
    /// move no document would ever name that debt again. Said at every close that pays the
    /// payee, until the books show it settled (recon records no repayment: SPEC §2 has no such drop).
    static func owedInOtherCurrencies(_ payouts: [DocumentDraft], issued: [IssuedDocument], period: Period) -> [String] {
        payouts.flatMap { draft -> [String] in
            let others = Set(issued.filter { $0.partyId == draft.partyId && ($0.kind == .payout || $0.kind == .payoutAdjustment)
                && $0.currency != draft.currency }.map(\.currency))
            return others.sorted { $0.code < $1.code }.compactMap { currency -> String? in
                guard let owed = PayeeSetOff.owed(by: draft.partyId, in: currency, issued: issued) else { return nil }
                let by = owed.adjustments.isEmpty ? "earlier payout adjustments" : owed.adjustments.joined(separator: ", ")
                return "\(draft.partyId) still owes back \(Digits.grouped(owed.amount)) \(currency) that \(by) took back, and is now "
                    + "paid in \(draft.currency) (its \(period) statement): no statement in \(currency) comes to set it off — ask the payee to "
                    + "repay it, or agree an amount in \(draft.currency) to hold back from its next payment"
            }
        }
    }
}

/// Margins as `period.closed` holds them, in the base currency.
public enum MarginCodec {
    public static func encode(_ margins: [ClientMargin]) -> JSONValue {
        .array(margins.flatMap { m in
            m.byModality.map { row in
                .object([
                    "client_id": .string(row.clientId), "modality": .string(row.modality), "reports": .int(Int64(row.reports)),
                    "revenue": .string(row.revenue.description), "cost": .string(row.cost.description),
                ])
            }
        })
    }

    public static func decode(_ value: JSONValue?) -> [MarginRow] {
        (value?.arrayValue ?? []).compactMap { v in
            guard case .object(let o) = v else { return nil }
            // The members read in one pass: every close's thousands of rows are read by every command.
            var client: String?, modality: String?, reports: Int64?, revenue: String?, cost: String?
            for (key, member) in o {
                switch key {
                case "client_id": client = member.stringValue
                case "modality": modality = member.stringValue
                case "reports": reports = member.intValue
                case "revenue": revenue = member.stringValue
                case "cost": cost = member.stringValue
                default: break
                }
            }
            guard let c = client, let m = modality, let r = revenue.flatMap({ ExactDecimal(recorded: Substring($0)) }),
                let k = cost.flatMap({ ExactDecimal(recorded: Substring($0)) })
            else { return nil }
            return MarginRow(clientId: c, modality: m, reports: Int(reports ?? 0), revenue: r, cost: k)
        }
    }
}
