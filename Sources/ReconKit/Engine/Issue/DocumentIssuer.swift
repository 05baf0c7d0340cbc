import Crypto
import Foundation
import XLSX

/// Issues final documents: numbers them, writes the workbooks, appends their entries.
///
/// Order of writes, so a crash loses nothing and repeats nothing: every workbook is written
/// under a hidden temporary name and the file system synced once; then all entries (and the
/// entries that close the batch, such as `period.closed`) are appended in one fsynced write;
/// only then are the workbooks renamed into place. A crash before the append leaves only
/// temporary files (numbers are taken from the ledger, so none is skipped); a crash after it
/// leaves entries whose workbooks ``DocumentRepair`` puts in place from the temporary file or
/// regenerates from the entry. A final path that already holds other bytes is never overwritten:
/// the command stops before it appends anything.
public struct DocumentIssuer {
    let session: SiteSession
    /// The clients and radiologists whose details the documents print: the site's now, unless
    /// a rerun issues under those its period closed with.
    var parties: PricingContext?
    /// The ledger state the documents print as issued under: the ledger before their command
    /// appended anything — for a rerun, the head its operator signed, before its held drops.
    var issuedUnder: (seq: Int, head: String)?

    public init(session: SiteSession, parties: PricingContext? = nil, issuedUnder: (seq: Int, head: String)? = nil) {
        self.session = session
        self.parties = parties
        self.issuedUnder = issuedUnder
    }

    /// One document to issue.
    public struct Item {
        public var draft: DocumentDraft
        public var refersTo: String?
        public var reason: String?
        /// A rerun's new invoice (statement): the documents it takes the place of
        /// (``DocumentRecord/replaces``); the reversal issued before it in the same batch, for
        /// the same party, is named as what reversed them.
        public var replaces: [String]?
        /// What the client had paid on the invoices it replaces (``DocumentRecord/paidBefore``).
        public var paidBefore: ExactDecimal?
        /// A rerun's new invoice: the client's credit in each currency once it is issued
        /// (``DocumentRecord/accountCredit``).
        public var accountCredit: [Money] = []
        /// A rerun's new payout statement: what the payee holds for the month in other
        /// currencies (``DocumentRecord/heldElsewhere``).
        public var heldElsewhere: [HeldElsewhere] = []
        /// A rerun's new invoice: the client's other invoices whose open amount it changes
        /// (``DocumentRecord/accountChanges``).
        public var accountChanges: [AccountChange] = []
        /// A close's invoice to a client in credit: what the account sets against it when it is
        /// issued (``DocumentRecord/creditApplied``).
        public var creditApplied: ExactDecimal?
        /// Of ``creditApplied``, what paid invoices that now fall due after it
        /// (``DocumentRecord/creditMoved``).
        public var creditMoved: ExactDecimal?
        /// A close's payout statement: what earlier adjustments took back that it sets off
        /// (``DocumentRecord/setOff``).
        public var setOff: PayeeSetOff.Owed?

        public init(_ draft: DocumentDraft, refersTo: String? = nil, reason: String? = nil, replaces: [String]? = nil,
                    paidBefore: ExactDecimal? = nil, accountCredit: [Money] = [], heldElsewhere: [HeldElsewhere] = [],
                    accountChanges: [AccountChange] = []) {
            self.draft = draft
            self.refersTo = refersTo
            self.reason = reason
            self.replaces = replaces
            self.paidBefore = paidBefore
            self.accountCredit = accountCredit
            self.heldElsewhere = heldElsewhere
            self.accountChanges = accountChanges
        }
    }

    /// The document a credit note (payout adjustment) gives back on, as its entry records it:
    /// the last it refers to (a rerun's reversal names the invoices still owed on,
    /// all of one party). Nil for an invoice or statement, or when its entry cannot be read.
    private func credited(_ item: Item) -> DocumentRecord? {
        guard item.draft.kind == .creditNote || item.draft.kind == .payoutAdjustment,
              let number = item.refersTo.flatMap({ LedgerEvent.splitList($0).last }),
              let issued = session.state.issued.last(where: { $0.number == number }),
              issued.seq >= 1, issued.seq <= session.ledger.entries.count
        else { return nil }
        return try? DocumentRecord(entry: session.ledger.entries[issued.seq - 1])
    }

    /// The site-time issue date of each document a credit note (payout adjustment) refers to,
    /// in its order; nil for an invoice or statement, or when one of them has no entry.
    private func issueDates(of item: Item) -> [LocalDate]? {
        guard item.draft.kind == .creditNote || item.draft.kind == .payoutAdjustment, let refersTo = item.refersTo else { return nil }
        let state = session.state
        var dates: [LocalDate] = []
        for number in LedgerEvent.splitList(refersTo) {
            guard let issued = state.issued.last(where: { $0.number == number }), let day = issued.issuedOn(in: state.zone)
            else { return nil }
            dates.append(day)
        }
        return dates.isEmpty ? nil : dates
    }

    /// The seller's payment instructions in `recon.toml` against those the last invoice or credit
    /// note printed: anyone who can write the site folder can put another bank account there,
    /// and the next close printed it on every invoice without a word. A change made on purpose
    /// is said once, by the first command that issues with it.
    private func warnOfChangedPaymentInstructions() {
        let now = session.config.seller?.paymentInstructions ?? ""
        guard let last = session.ledger.entries.last(where: { $0.kind == "invoice.issued" || $0.kind == "credit_note.issued" }),
              let record = try? DocumentRecord(entry: last), record.layout >= 4 else { return }
        let before = record.seller?.paymentInstructions ?? ""
        guard before != now else { return }
        func shown(_ text: String) -> String { text.isEmpty ? "none" : "\u{201C}\(text)\u{201D}" }
        let message = "the seller's payment instructions in recon.toml ([seller] payment_instructions) are not those \(record.number), "
            + "the last document issued to a client, printed: these documents print \(shown(now)), where it printed \(shown(before)). "
            + "If that change was not made on purpose, tell the clients before anything is paid, and put recon.toml right"
        session.log.warning("\(message)")
    }

    /// The seller's legal name and tax ID in `recon.toml` against those the last invoice or
    /// credit note printed: changed between a close and a rerun, the rerun's credit note reversed
    /// the old entity's invoice under the new one's name and tax registration, with no word — a
    /// credit note the client's accounts payable cannot match to the invoice it reverses. Said
    /// once, by the first command that issues with it, naming both.
    private func warnOfChangedSellerIdentity() {
        let now = session.config.seller
        guard let last = session.ledger.entries.last(where: { $0.kind == "invoice.issued" || $0.kind == "credit_note.issued" }),
              let record = try? DocumentRecord(entry: last), record.layout >= 4 else { return }
        func identity(_ s: SellerDetails?) -> String {
            guard let s, !s.legalName.isEmpty || !s.taxId.isEmpty else { return "no seller" }
            return "\u{201C}\(s.legalName)\u{201D}" + (s.taxId.isEmpty ? ", no tax ID" : ", tax ID \(s.taxId)")
        }
        let (before, after) = (identity(record.seller), identity(now))
        guard before != after else { return }
        let message = "the seller's legal name or tax ID in recon.toml ([seller] legal_name, tax_id) are not those \(record.number), "
            + "the last document issued to a client, printed: these documents name \(after), where it named \(before) — a credit "
            + "note reversing an invoice of the former names the new one, which the client's accounts cannot match to that invoice. "
            + "If that change was not made on purpose, put recon.toml right before these documents are sent"
        session.log.warning("\(message)")
    }

    /// What the entries that close a batch are built from: the numbers just assigned, and the
    /// documents' entries the same write appends before them, stamped `at`.
    public struct Issuing {
        public let numbers: [String]
        public let entries: [(kind: String, body: [String: JSONValue])]
        public let at: String
    }

    /// Issues `items` for `period`; `closing` builds entries appended in the same write, after
    /// the documents'. Returns the documents' entries, then the closing ones.
    @discardableResult
    public func issue(_ items: [Item], period: Period, extraBody: [String: JSONValue] = [:],
                      closing: (Issuing) -> [(kind: String, body: [String: JSONValue])] = { _ in [] }) throws -> [LedgerEntry] {
        let state = session.state, site = session.site
        if items.contains(where: { $0.draft.kind.isClientSide }) {
            warnOfChangedPaymentInstructions()
            warnOfChangedSellerIdentity()
        }
        let now = session.clock.now()
        let at = SiteClock.text(now)
        let today = state.zone.today(now: now), year = today.components.year
        let checkpoint = Checkpointer(site: site).latest()
        var pending: [(record: DocumentRecord, temp: String, final: String)] = []
        var used: [String: Int] = [:]
        // The reversal numbered in this batch for each party and side: what a replacement names.
        var reversals: [String: String] = [:]
        defer { for p in pending where FileIO.exists(p.temp) { FileIO.remove(p.temp) } }
        // Every item's number first: a payout adjustment names the new statement issued after it.
        let numbers = items.map { item -> String in
            let key = item.draft.kind.series(year: year)
            let n = (used[key] ?? (state.lastNumber[key] ?? 0)) + 1
            used[key] = n
            return item.draft.kind.number(year: year, sequence: n)
        }
        for (i, item) in items.enumerated() {
            let kind = item.draft.kind
            let number = numbers[i]
            var record = DocumentRecord(draft: item.draft, number: number, period: period, site: state.name,
                                        issuedUnderSeq: issuedUnder?.seq ?? session.ledger.entries.count,
                                        issuedUnderHash: issuedUnder?.head ?? session.ledger.headHash,
                                        checkpoint: checkpoint, refersTo: item.refersTo, reason: item.reason)
            record.addDetails(issuedOn: today, state: state, config: session.config, credited: credited(item), parties: parties)
            if record.layout >= 7 { record.refersToIssuedOn = issueDates(of: item) }
            let side = "\(kind.isClientSide) \(item.draft.partyId)"
            if kind == .creditNote || kind == .payoutAdjustment { reversals[side] = number }
            // In the same currency, or (layout 14) in one the statement sets off at a rate; one
            // it cannot convert is set off by hand (the statement says so).
            if kind == .payoutAdjustment, record.layout >= 13, let j = items.indices.first(where: { j in
                j > i && items[j].draft.kind == .payout && items[j].draft.partyId == item.draft.partyId && !(items[j].replaces ?? []).isEmpty
                    && (items[j].draft.currency == item.draft.currency
                        || record.layout >= 14 && items[j].heldElsewhere.contains { $0.held.currency == item.draft.currency && $0.converted != nil })
            }) {
                record.nettedIn = numbers[j]
            }
            // From layout 14 a credit note, and a close's invoice, say the client's credit and the
            // other invoices whose open amount they change, as a rerun's new invoice does.
            if record.layout >= 14, item.replaces?.isEmpty ?? true, kind == .creditNote || kind == .invoice {
                record.accountCredit = item.accountCredit
                record.accountChanges = item.accountChanges
                if let applied = item.creditApplied, applied > .zero { record.creditApplied = applied }
                if record.layout >= 15, record.creditApplied != nil, let moved = item.creditMoved, moved > .zero { record.creditMoved = moved }
            }
            if record.layout >= 16, kind == .payout, item.replaces?.isEmpty ?? true, let owed = item.setOff,
               let (setOff, left) = owed.against(record.total) {
                (record.setOff, record.setOffFor, record.setOffLeft) = (setOff, owed.adjustments, left > .zero ? left : nil)
            }
            if let replaces = item.replaces, !replaces.isEmpty {
                record.replaces = replaces
                record.reversedBy = reversals[side]
                record.paidBefore = item.paidBefore
                if record.layout >= 13 { record.accountCredit = item.accountCredit }
                if record.layout >= 14 {
                    record.heldElsewhere = item.heldElsewhere
                    record.accountChanges = item.accountChanges
                }
            }
            let final = site.path(record.file)
            try FileIO.makeDirectory(FileIO.parent(of: final))
            let temp = FileIO.temporaryName(for: final)
            pending.append((record, temp, final))
        }
        // From the first workbook on, a stop signal is noted and ends the command at the append,
        // its workbooks' temporary files removed: killed by it here, the command left them in
        // the folders of final documents, where they read as a cut ledger's trace.
        session.holdSignals { for p in pending { FileIO.remove(p.temp) } }
        // Each workbook is independent (its own libxlsxwriter handle and files): write them
        // on every core, then check and hash them in order.
        let hashes: [String]
        do {
            hashes = try Stages.time("workbooks") { try Self.writeAll(pending.map { ($0.record, $0.temp, $0.final) }, at: at) }
        } catch let error as XLSXError {
            // Before the append: said as such. Naming a number the ledger never issued, the error
            // left a user unsure whether running the command again would issue it twice.
            // (A rerun has recorded the held drops it took by then: those stand, as it says.)
            let recorded = LedgerFile.appendedByThisProcess ? "no document was issued" : "nothing was recorded and no document was issued"
            throw ReconFailure.usage("\(error) — \(recorded); run the command again once that is mended")
        }
        for p in pending where FileIO.exists(p.final) {
            if try FileIO.read(p.final) != FileIO.read(p.temp) {
                throw ReconFailure.refused("\(p.record.file) already exists with other bytes and no ledger entry issued it; "
                    + "final documents are never overwritten — move it aside and run the command again")
            }
        }
        try Stages.time("sync") { try FileIO.syncFileSystem(of: site.outbox) }
        var appended: [(kind: String, body: [String: JSONValue])] = []
        for (p, sha) in zip(pending, hashes) {
            appended.append((p.record.kind.entryKind, p.record.body(sha256: sha).merging(extraBody) { a, _ in a }))
        }
        appended += closing(Issuing(numbers: pending.map(\.record.number), entries: appended, at: at))
        let entries = try Stages.time("append") { try session.append(appended, at: at) }
        // Issued from here: a workbook the disk will not put in place (an I/O error) is said, and
        // the command goes on to its checkpoint. Reported as a failure, it had a script issue a
        // credit again, and a rerun told to run again; the next writer writes it from its entry.
        for ((p, entry), sha) in zip(zip(pending, entries), hashes) {
            do { try FileIO.renameQuietly(p.temp, to: p.final) } catch {
                let message = "\(p.record.number) is issued (seq \(entry.seq)), but \(p.record.file) could not be put in place: "
                    + "\(error) — do not issue it again: the next writing command writes it from its entry (`recon verify` names it "
                    + "missing until then); see to the disk"
                session.log.warning("\(message)")
                continue
            }
            switch PlacedWorkbook.check(p.record.file, in: site, sha256: sha) {
            case .issued: break
            case .takenAway:
                let message = "\(p.record.number) is issued (seq \(entry.seq)), but \(PlacedWorkbook.foreign(p.record.file, temp: p.temp)) "
                    + "— do not issue it again: the next writing command writes it from its entry (`recon verify` names it missing "
                    + "until then); find what else writes in \(FileIO.parent(of: p.record.file))"
                session.log.warning("\(message)")
            case .standing(let what):
                let message = "\(p.record.number) is issued (seq \(entry.seq)), but \(what) — do not issue it again: remove that "
                    + "folder, and the next writing command writes the document from its entry (`recon verify` refuses until then)"
                session.log.warning("\(message)")
            }
        }
        for dir in Set(pending.map { FileIO.parent(of: $0.final) }) {
            do { try FileIO.syncDirectory(dir) } catch {
                let message = "\(dir) could not be synced after its documents were issued: \(error)"
                session.log.warning("\(message)")
            }
        }
        try LedgerReplay.apply(appended: entries, to: &session.state, site: site)
        return entries
    }

    /// Writes the workbooks concurrently; returns each file's SHA-256, in order.
    static func writeAll(_ jobs: [(record: DocumentRecord, temp: String, final: String)], at: String) throws -> [String] {
        var results = [Result<String, Error>](repeating: .failure(CancellationError()), count: jobs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let outcome = Result<String, Error> {
                let bytes = try DocumentWorkbook.write(jobs[i].record, at: at, to: jobs[i].temp, naming: jobs[i].final)
                return Hex.string(SHA256.hash(data: bytes))
            }
            lock.lock()
            results[i] = outcome
            lock.unlock()
        }
        return try results.map { try $0.get() }
    }
}
