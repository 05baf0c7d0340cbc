import Foundation

/// What the ledger's document entries must be, beyond their hashes (SPEC §5, §6): every
/// document is issued by a command that issues documents, under a number of its own, with
/// amounts that add up.
///
/// Anyone who can write the site folder can append an entry with a correct hash: no key is
/// needed for that, only for checkpoints. A copy of an invoice with its amounts negated, or
/// a credit note without a signed request, appended after the last checkpoint, would wipe a
/// client's debt from every statement while each hash and signature still held. recon never
/// writes such entries, so `recon verify` reports them and every writer refuses (exit 4):
/// - invoices, payout statements, payout adjustments and a rerun's credit notes are listed
///   (`documents`) by the `period.closed` or `rerun` entry of their period that follows them,
///   each once; a credit note from `recon credit` (with its signed `request`) stands alone;
/// - a period is closed once; a rerun is of a closed period;
/// - numbers are `PREFIX-YEAR-NNNNNN`, the kind's prefix, the year of the entry's `at` in site
///   time, gapless per kind and year in ledger order (so none is used twice);
/// - subtotal, tax and total are amounts of at least zero, total = subtotal + tax, tax the sum
///   of the components, subtotal the sum of the lines (when the lines were read).
enum IssuedDocumentEntries {
    /// The check, in the time zone `site.init` records.
    /// `amountsCheckedBefore`: how many of the first entries need not have their amounts added
    /// up again (``WriterChecks``: those a vouched ledger prefix holds); every entry's number and
    /// place is still checked.
    static func check(_ entries: [LedgerEntry], amountsCheckedBefore: Int = 0) throws {
        guard let name = entries.first?.string("timezone"), let zone = SiteTimeZone(identifier: name) else {
            throw LedgerDamage(seq: 1, "site.init records no time zone this system knows")
        }
        try check(entries, zone: zone, amountsCheckedBefore: amountsCheckedBefore)
    }

    /// - Parameter zone: the site's time zone (`site.init`), which dates an issue.
    static func check(_ entries: [LedgerEntry], zone: SiteTimeZone, amountsCheckedBefore: Int = 0) throws {
        // Documents a close or rerun has yet to list, by number (a close resumed after an
        // interruption lists those its first attempt issued too).
        var unclaimed: [String: LedgerEntry] = [:]
        var closed: Set<String> = []
        var series = Series()
        var originals: [String: LedgerEntry] = [:]
        var reversals: [String: LedgerEntry] = [:]
        var replaced: [String: Int] = [:]
        // The first entry naming a file not its own: said once every other check has passed,
        // whose words on a forged copy (a number used twice, no close listing it) are plainer.
        var misplaced: LedgerDamage?
        for e in entries {
            guard let kind = e.eventKind else { continue }
            if let document = kind.document {
                let number = try checkNumber(e, kind: document, zone: zone, series: &series)
                misplaced = misplaced ?? fileProblem(e, kind: document, number: number)
                if e.seq > amountsCheckedBefore { try checkAmounts(e) }
                if document == .invoice || document == .payout {
                    try checkReplaces(e, originals, reversals, replaced: &replaced)
                    originals[number] = e
                } else {
                    try checkRefersTo(e, kind: document, originals)
                    reversals[number] = e
                }
                if kind != .creditNoteIssued || e.body["request"] == nil { unclaimed[number] = e }
                continue
            }
            guard kind == .periodClosed || kind == .rerun else { continue }
            guard let period = e.string("period") else { throw LedgerDamage(seq: e.seq, "\(e.kind) names no period") }
            if kind == .periodClosed {
                guard closed.insert(period).inserted else { throw LedgerDamage(seq: e.seq, "\(period) is closed a second time") }
            } else if !closed.contains(period) {
                throw LedgerDamage(seq: e.seq, "a rerun of \(period), which no period.closed before it closed")
            }
            for number in BodyReader(entry: e).strings("documents") {
                guard let document = unclaimed.removeValue(forKey: number), document.string("period") == period else {
                    throw LedgerDamage(seq: e.seq, "\(e.kind) of \(period) lists \(number), which is not a document of \(period) "
                        + "issued before it and listed by no close or rerun yet")
                }
            }
            // What the command appended before its own entry, it lists.
            if let stray = unclaimed.values.first(where: { $0.string("period") == period }) { throw issuedByNoCommand(stray) }
        }
        if let first = unclaimed.values.min(by: { $0.seq < $1.seq }) { throw issuedByNoCommand(first) }
        if let misplaced { throw misplaced }
    }

    /// A credit note (payout adjustment) gives back on what it names: each an invoice (payout
    /// statement) issued before it, of the same party, currency and period. Its signed request
    /// vouches only for the invoice, amount and reason: an entry rewritten to another client
    /// (re-hashed, checkpoint re-signed by the site key) put a credit on that client's account.
    private static func checkRefersTo(_ e: LedgerEntry, kind: DocumentKind, _ originals: [String: LedgerEntry]) throws {
        let party = kind == .creditNote ? "client_id" : "radiologist_id"
        let names = BodyReader(entry: e).strings("refers_to")
        guard !names.isEmpty else { throw LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") names no document in refers_to") }
        // The issue dates it prints under the documents it names (layout 7 on) are theirs.
        let dates = e.body["refers_to_issued_on"] == nil ? nil : BodyReader(entry: e).strings("refers_to_issued_on")
        if let dates, dates.count != names.count {
            throw LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") gives \(dates.count) dates in refers_to_issued_on "
                + "for the \(names.count) documents of refers_to; recon writes one for each")
        }
        for (i, name) in names.enumerated() {
            guard let original = originals[name] else {
                throw LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") refers to \(name), which is no "
                    + "\(kind == .creditNote ? "invoice" : "payout statement") issued before it")
            }
            for member in [party, "currency", "period"] where e.string(member) != original.string(member) {
                throw LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") has \(member) \(e.string(member) ?? "none"), but "
                    + "\(name), which it refers to, has \(original.string(member) ?? "none") (seq \(original.seq)); recon writes no such entry")
            }
            // `issued_on` is one of the members left in the file until asked for (a credit note is rare).
            if let dates, let issuedOn = (try? original.whole())?.string("issued_on"), dates[i] != issuedOn {
                throw LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") prints \(name) as issued on \(dates[i]), "
                    + "but its entry (seq \(original.seq)) has issued_on \(issuedOn); recon writes no such entry")
            }
        }
    }

    /// A rerun's new invoice (statement) prints what it replaces (`replaces`, `reversed_by`):
    /// documents of its own kind, party and period issued before it, and a credit note (payout
    /// adjustment) of that party issued before it. One naming another party's would tell a
    /// hospital that a bill it owes was replaced.
    /// Each document is replaced once (a later rerun replaces the one that replaced it), and
    /// what reversed it is a rerun's own reversal, not a credit `recon credit` signed.
    private static func checkReplaces(_ e: LedgerEntry, _ originals: [String: LedgerEntry], _ reversals: [String: LedgerEntry],
                                      replaced: inout [String: Int]) throws {
        guard e.body["replaces"] != nil || e.body["reversed_by"] != nil else { return }
        let party = e.kind == "invoice.issued" ? "client_id" : "radiologist_id"
        let number = e.string("number") ?? ""
        let names = BodyReader(entry: e).strings("replaces")
        let named = names.map { ($0, originals[$0]) } + (e.string("reversed_by").map { [($0, reversals[$0])] } ?? [])
        for (name, earlier) in named {
            guard let earlier, earlier.string(party) == e.string(party), earlier.string("period") == e.string("period") else {
                throw LedgerDamage(seq: e.seq, "\(e.kind) \(number) says it replaces \(name), which is no document of "
                    + "its party and period issued before it; recon writes no such entry")
            }
        }
        if let by = e.string("reversed_by"), reversals[by]?.body["request"] != nil {
            throw LedgerDamage(seq: e.seq, "\(e.kind) \(number) says it was reversed by \(by), a credit `recon credit` issued, not a "
                + "rerun's reversal; recon writes no such entry")
        }
        for name in names {
            if let earlier = replaced[name] {
                throw LedgerDamage(seq: e.seq, "\(e.kind) \(number) says it replaces \(name), which the document of seq \(earlier) "
                    + "replaced already; recon writes no such entry")
            }
            replaced[name] = e.seq
        }
    }

    /// A document no close or rerun issued, nor `recon credit` signed.
    private static func issuedByNoCommand(_ e: LedgerEntry) -> LedgerDamage {
        LedgerDamage(seq: e.seq, "\(e.kind) \(e.string("number") ?? "") is issued by no close or rerun (no period.closed or "
            + "rerun entry of its period lists it)\(e.eventKind == .creditNoteIssued ? " and carries no signed request" : ""); "
            + "recon writes no such entry")
    }

    /// The numbers used so far, per kind and year, and the year of the last `at` read: a
    /// close's documents share one time, read once.
    struct Series {
        struct Key: Hashable {
            let kind: DocumentKind
            let year: Int
        }
        /// `PREFIX-YEAR` and the last sequence number used in it.
        var used: [Key: (series: String, last: Int)] = [:]
        var lastAt = ""
        var lastYear = 0
    }

    /// The entry's number, checked to be the next of its kind and year.
    private static func checkNumber(_ e: LedgerEntry, kind: DocumentKind, zone: SiteTimeZone, series: inout Series) throws -> String {
        guard let number = e.string("number") else { throw LedgerDamage(seq: e.seq, "\(e.kind) has no number") }
        if e.at != series.lastAt || series.lastAt.isEmpty {
            guard let date = SiteClock.date(rfc3339: e.at) else { throw LedgerDamage(seq: e.seq, "its at is no time") }
            series.lastAt = e.at
            series.lastYear = zone.today(now: date).components.year
        }
        let year = series.lastYear
        let key = Series.Key(kind: kind, year: year)
        let used = series.used[key] ?? (kind.series(year: year), 0)
        let sequence = used.last + 1
        guard isNumber(number, series: used.series, sequence: sequence) else {
            let expected = kind.number(year: year, sequence: sequence)
            throw LedgerDamage(seq: e.seq, "\(e.kind) is numbered \(number), but the next \(kind.prefix) number of \(year) "
                + "(the year of its issue in site time) is \(expected): numbers are gapless per kind and year, each used once")
        }
        series.used[key] = (used.series, sequence)
        return number
    }

    /// The entry's `file` is its own number's workbook, in its period's folder of its kind
    /// (SPEC §7). An invoice's entry rewritten to name another client's workbook (its own
    /// deleted, the chain re-hashed, the checkpoint re-signed with the site key) passed both
    /// verifiers, and nothing put its own workbook back. Numbers are used once, so no two
    /// entries name one file either.
    private static func fileProblem(_ e: LedgerEntry, kind: DocumentKind, number: String) -> LedgerDamage? {
        guard let period = e.string("period").flatMap(Period.init) else { return LedgerDamage(seq: e.seq, "\(e.kind) \(number) names no period") }
        let own = Site.documentPath(kind: kind, period: period, number: number)
        guard let file = e.string("file"), file == own else {
            return LedgerDamage(seq: e.seq, "\(e.kind) \(number) names the file \(e.string("file") ?? "(none)"), but \(number)'s workbook "
                + "is \(own); recon writes no such entry")
        }
        return nil
    }

    /// Whether `number` is `kind.number(year:sequence:)` of the series `PREFIX-YEAR`: the
    /// series, a dash, then `sequence` in at least six digits. Read on its bytes: a year's
    /// thousands of document entries are checked by every writer.
    static func isNumber(_ number: String, series: String, sequence: Int) -> Bool {
        var width = 1, rest = sequence / 10
        while rest > 0 {
            width += 1
            rest /= 10
        }
        width = max(width, 6)
        let text = number.utf8, head = series.utf8
        guard sequence > 0, text.count == head.count + 1 + width, text.starts(with: head) else { return false }
        let tail = text.dropFirst(head.count)
        return tail.first == UInt8(ascii: "-") && Digits.value(tail.dropFirst()) == sequence
    }

    private static func checkAmounts(_ e: LedgerEntry) throws {
        func amount(_ text: String?, _ what: String) throws -> ExactDecimal {
            guard let text, let value = ExactDecimal(recorded: Substring(text)), !(value < .zero) else {
                throw LedgerDamage(seq: e.seq, "\(e.kind)'s \(what) is \(text.map { "\"\($0)\"" } ?? "missing"), not an amount "
                    + "of at least zero (amounts on credit notes and adjustments are positive: they are subtracted)")
            }
            return value
        }
        func sum(_ key: String, of member: String) throws -> ExactDecimal? {
            guard case .array(let items)? = e.body[member] else { return nil }
            var total = ExactDecimal.zero
            for item in items { total = try total + amount(item.objectValue?[key]?.stringValue, "\(member) \(key)") }
            return total
        }
        let subtotal = try amount(e.string("subtotal"), "subtotal"), tax = try amount(e.string("tax"), "tax")
        let total = try amount(e.string("total"), "total")
        guard try subtotal + tax == total else { throw LedgerDamage(seq: e.seq, "\(e.kind)'s total is not its subtotal plus its tax") }
        if let taxes = try sum("amount", of: "taxes"), taxes != tax {
            throw LedgerDamage(seq: e.seq, "\(e.kind)'s tax is not the sum of its components")
        }
        if let lines = try sum("amount", of: "lines"), lines != subtotal {
            throw LedgerDamage(seq: e.seq, "\(e.kind)'s subtotal is not the sum of its lines")
        }
    }
}
