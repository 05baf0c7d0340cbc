/// `recon credit INV-… --amount X --reason TEXT --key FILE` (SPEC §5): a credit note of at
/// most the invoice's outstanding net, privileged and signed.
public struct Creditor {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public struct Result {
        public var number: String
        public var outstandingAfter: ExactDecimal
        public var currency: Currency
        public var checkpoint: String?
    }

    public func credit(invoice number: String, amount text: String, reason: String, keyFile: String) throws -> Result {
        try session.requireCheckedDrops()  // never a number from the cache
        let state = session.state
        guard let invoice = state.issued.first(where: { $0.number == number && $0.kind == .invoice }) else {
            throw ReconFailure.rejected("\(number) is not an invoice issued by this site (numbers look like INV-2026-000001)")
        }
        // Trimmed as drop text is (SPEC §2): `"goodwill "` is the same request as `"goodwill"`, and a retry of it.
        let reason = try PrivilegedRequest.reason(reason, saying: "the invoice is credited")
        let amount: ExactDecimal
        do {
            amount = try FieldValue.decimal(Substring(text), positive: true)
        } catch let e as FieldValue.Invalid {
            // A value of the command line, not input from a drop: bad usage (SPEC §8), as a bad --as-of is.
            throw ReconFailure.usage("--amount: \(e.message)")
        }
        guard amount.normalized.scale <= invoice.currency.minorDigits else {
            throw ReconFailure.usage("--amount \(text) has more decimals than \(invoice.currency) allows (\(invoice.currency.minorDigits))")
        }
        let credits = state.issued.filter { $0.kind == .creditNote && $0.namedDocuments.contains(number) }
        var outstanding = invoice.total
        for c in credits {
            let referred = max(c.namedDocuments.count, 1)
            // A rerun's reversal naming several invoices cleared all of them: nothing is left on
            // any; a credit naming this invoice alone comes off its balance.
            outstanding = referred > 1 ? invoice.currency.zero : try outstanding - c.total
        }
        if outstanding.isNegative { outstanding = invoice.currency.zero }
        guard amount <= outstanding else {
            // Said with what settled it, and where its month is billed now: a client quoting an
            // invoice a rerun reversed and replaced is told which one to credit.
            var said = "--amount \(text) is more than the outstanding \(outstanding) \(invoice.currency) of \(number)"
            if !credits.isEmpty { said += " (credited by " + credits.map { "\($0.number), \($0.total) \($0.currency)" }.joined(separator: "; ") + ")" }
            if outstanding.isZero, let anew = state.issued.last(where: {
                $0.kind == .invoice && $0.partyId == invoice.partyId && $0.period == invoice.period && $0.seq > invoice.seq
            }) {
                said += "; \(invoice.partyId)'s \(invoice.period) is billed anew on \(anew.number) (\(anew.total) \(anew.currency)): credit that invoice"
            }
            throw ReconFailure.rejected(said)
        }
        // The amount is signed as the credit note's total will read, so the body agrees with it.
        let signed = try PrivilegedRequest.sign(
            command: "credit", args: ["invoice": number, "amount": try invoice.currency.round(amount).description, "reason": reason],
            keyFile: keyFile, session: session)
        // The checkpoint that must follow is signed with the site key: refuse now, not after appending.
        _ = try Checkpointer(site: session.site).loadSiteKey()
        guard let entry = session.ledger.entries.first(where: { $0.seq == invoice.seq }) else {
            throw ReconFailure.refused("the entry of \(number) is missing")
        }
        let record = try DocumentRecord(entry: entry)
        // One `credit` line, also for the whole invoice (SPEC §3); the credit that brings the
        // invoice to zero takes each tax component's remainder.
        let documents = try Outstanding.records(of: [invoice] + credits, session: session)
        let draft = try Outstanding.creditDraft(kind: .creditNote, record: record, total: try invoice.currency.round(amount),
                                                zeroing: amount == outstanding ? documents : nil, before: documents)
        try Closer.requireSellerKept(session)
        try Checkpointer(site: session.site).requireCanWrite()
        // Its credit note goes in the invoice's month: a file in place of its folder failed the
        // workbook after the entry with a bare system error (exit 1); refused first, as a close is.
        try OutboxCheck(site: session.site).requireWritable("Outbox/\(invoice.period)/credit-notes")
        session.derivedAfterAppend = []  // a credit changes no draft, review or margin
        var item = DocumentIssuer.Item(draft, refersTo: number, reason: reason)
        // What the credit frees on an invoice paid already goes to another, or to credit: said.
        (item.accountCredit, item.accountChanges) = try AccountAtIssue(session: session).afterCreditNote(draft, refersTo: [number],
                                                                                                       of: invoice.partyId)
        let entries = try DocumentIssuer(session: session).issue([item], period: invoice.period, extraBody: signed.bodyMembers)
        let checkpoint = try Checkpointer(site: session.site).writeAfterAppend(session, siteName: state.name)
        return Result(number: entries[0].string("number") ?? "", outstandingAfter: try invoice.currency.round(outstanding - amount),  // in the currency's digits, as the ledger writes money
                      currency: invoice.currency, checkpoint: checkpoint)
    }
}
