/// What is still owed on a party's documents of a period: its invoices (statements) less
/// its credit notes (adjustments), in the documents' currency.
enum Outstanding {
    struct Net {
        var currency: Currency
        var amount: ExactDecimal
    }

    static func net(_ documents: [IssuedDocument]) throws -> Net? {
        guard let first = documents.first else { return nil }
        var sum = first.currency.zero
        for d in documents {
            guard d.currency == first.currency else {
                throw ReconFailure.refused("\(d.number) is in \(d.currency), other documents of \(d.partyId) in \(first.currency); settle by hand")
            }
            sum = try sum + d.signedTotal
        }
        return Net(currency: first.currency, amount: sum)
    }

    /// A rerun's credit note (payout adjustment) for the whole outstanding net of a party's
    /// documents of a period (in ledger order), and the documents it names. When the net is
    /// the latest invoice (statement) whole — no credit note names it, and what came before
    /// it is settled — it repeats that document's lines, tax components and amounts (SPEC §3)
    /// and names it alone. Otherwise it is one `credit` line, each component taking what is
    /// left of it, naming `open`: the invoices still live (``Rerunner/liveFrom(_:kind:reversal:isOperatorCredit:)``).
    static func reversal(of documents: [IssuedDocument], open: [String], kind: DocumentKind, net: Net,
                         session: SiteSession) throws -> (draft: DocumentDraft, refersTo: [String]) {
        let originals = documents.filter { $0.kind == .invoice || $0.kind == .payout }
        guard let last = originals.last,
            let entry = session.ledger.entries.first(where: { $0.seq == last.seq })
        else { throw ReconFailure.refused("no invoice or statement to reverse for \(documents.first?.partyId ?? "")") }
        let record = try DocumentRecord(entry: entry)
        let lastIsCredited = documents.contains { d in
            (d.kind == .creditNote || d.kind == .payoutAdjustment) && d.namedDocuments.contains(last.number)
        }
        if !lastIsCredited && net.amount == last.total {
            var d = try DocumentDraft(kind: kind, partyId: record.partyId, partyName: record.partyName, currency: record.currency,
                                      taxRate: record.taxRate, lines: record.lines, reportCount: 0)
            d.taxes = record.chargedTaxes
            d.tax = record.tax
            d.total = record.total
            d.fx = record.fx
            return (d, [last.number])
        }
        return (try creditDraft(kind: kind, record: record, total: net.amount, zeroing: try records(of: documents, session: session)),
                open)
    }

    /// The records of `documents`, from their entries.
    static func records(of documents: [IssuedDocument], session: SiteSession) throws -> [DocumentRecord] {
        try documents.map { d in
            guard d.seq >= 1, d.seq <= session.ledger.entries.count else { throw ReconFailure.refused("the entry of \(d.number) is missing") }
            return try DocumentRecord(entry: session.ledger.entries[d.seq - 1])
        }
    }

    /// A one-line credit of `total` (tax included). Each tax component = total × its rate /
    /// (100 + tax rate), rounded once; tax = their sum; subtotal = total − tax. With `zeroing`
    /// (every document of the balance this credit brings to zero), each component is instead
    /// what is left of it: charged on the invoices less given back by earlier credit notes.
    ///
    /// A partial credit given `before` (the invoice and the credit notes already on it) never
    /// gives back more of a component, or of the subtotal, than is left of it: where rounding
    /// each credit's components alone would (many small credits on a small invoice), the
    /// excess moves between the subtotal and the components' remainders. Otherwise a later
    /// credit would bring the invoice to zero with a negative subtotal or tax, and SPEC §6 has
    /// every amount on a credit note positive.
    static func creditDraft(kind: DocumentKind, record: DocumentRecord, total: ExactDecimal,
                            zeroing: [DocumentRecord]? = nil, before: [DocumentRecord]? = nil) throws -> DocumentDraft {
        let c = record.currency
        var taxes: [TaxAmount]
        if let zeroing {
            // A component settled to nothing that the invoice credited does not carry (an earlier
            // invoice's, reversed whole) is not listed: a GST credit note of an IGST invoice shows
            // no CGST or SGST, even at 0.00.
            let own = Set(record.chargedTaxes.map(\.name))
            taxes = try TaxSplit.remainder(charged: charges(zeroing), credited: credits(zeroing), currency: c)
                .filter { !$0.amount.isZero || own.contains($0.name) }
        } else {
            taxes = try TaxSplit.ofCredit(total, record.chargedTaxes.map { TaxComponent(name: $0.name, rate: $0.rate) }, currency: c)
            if let before { taxes = try bounded(taxes, total: total, by: before, currency: c) }
        }
        let tax = try TaxSplit.total(taxes, currency: c)
        let subtotal = try total - tax
        let line = DocumentLine(modality: "*", urgency: nil, per: "credit", quantity: 1, unitAmount: subtotal, unitCurrency: c,
                                amount: subtotal, description: LineDescription.credit)
        var d = try DocumentDraft(kind: kind, partyId: record.partyId, partyName: record.partyName, currency: c,
                                  taxRate: record.taxRate, lines: [line], reportCount: 0)
        d.taxes = taxes
        d.tax = tax
        d.total = total
        return d
    }

    private static func charges(_ records: [DocumentRecord]) -> [[TaxAmount]] {
        records.filter { $0.kind == .invoice || $0.kind == .payout }.map(\.chargedTaxes)
    }

    private static func credits(_ records: [DocumentRecord]) -> [[TaxAmount]] {
        records.filter { $0.kind == .creditNote || $0.kind == .payoutAdjustment }.map(\.chargedTaxes)
    }

    /// `taxes` of a partial credit of `total`, each at most what is left of its component on
    /// `documents`, and their sum at least what the subtotal left cannot take.
    private static func bounded(_ taxes: [TaxAmount], total: ExactDecimal, by documents: [DocumentRecord],
                                currency c: Currency) throws -> [TaxAmount] {
        let left = try TaxSplit.remainder(charged: charges(documents), credited: credits(documents), currency: c)
        func room(_ name: String) -> ExactDecimal {
            let r = left.first { $0.name == name }?.amount ?? c.zero
            return r.isNegative ? c.zero : r
        }
        var out = taxes.map { t in TaxAmount(name: t.name, rate: t.rate, amount: min(t.amount, room(t.name))) }
        var subtotalLeft = c.zero
        for d in documents {
            subtotalLeft = try d.kind == .invoice || d.kind == .payout ? subtotalLeft + d.subtotal : subtotalLeft - d.subtotal
        }
        var excess = try total - TaxSplit.total(out, currency: c) - max(subtotalLeft, c.zero)
        for i in out.indices where excess > c.zero {
            let more = min(excess, try room(out[i].name) - out[i].amount)
            out[i].amount = try out[i].amount + more
            excess = try excess - more
        }
        return out
    }
}
