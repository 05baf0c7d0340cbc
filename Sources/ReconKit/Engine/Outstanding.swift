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

    /// A credit note (payout adjustment) for the whole outstanding net. When nothing was
    /// credited before, it repeats the original document's lines exactly; otherwise it is
    /// one `credit` line, tax split at the document's rate.
    static func reversal(of documents: [IssuedDocument], kind: DocumentKind, net: Net, state: SiteState,
                         session: SiteSession) throws -> DocumentDraft {
        let originals = documents.filter { $0.kind == .invoice || $0.kind == .payout }
        let credited = documents.contains { $0.kind == .creditNote || $0.kind == .payoutAdjustment }
        guard let last = originals.last,
            let entry = session.ledger.entries.first(where: { $0.seq == last.seq })
        else { throw ReconFailure.refused("no invoice or statement to reverse for \(documents.first?.partyId ?? "")") }
        let record = try DocumentRecord(entry: entry)
        if !credited && originals.count == 1 {
            var d = try DocumentDraft(kind: kind, partyId: record.partyId, partyName: record.partyName, currency: record.currency,
                                      taxRate: record.taxRate, lines: record.lines, reportCount: 0)
            d.tax = record.tax
            d.total = record.total
            return d
        }
        return try creditDraft(kind: kind, record: record, total: net.amount)
    }

    /// A one-line credit of `total` (tax included), tax = total × rate / (100 + rate) rounded once.
    static func creditDraft(kind: DocumentKind, record: DocumentRecord, total: ExactDecimal) throws -> DocumentDraft {
        let c = record.currency
        let hundred = ExactDecimal(100)
        let tax = try Rounding.divide(try total * record.taxRate, by: try hundred + record.taxRate, toScale: c.minorDigits)
        let subtotal = try total - tax
        let line = DocumentLine(modality: "*", urgency: nil, per: "credit", quantity: 1, unitAmount: subtotal, unitCurrency: c,
                                amount: subtotal)
        var d = try DocumentDraft(kind: kind, partyId: record.partyId, partyName: record.partyName, currency: c,
                                  taxRate: record.taxRate, lines: [line], reportCount: 0)
        d.tax = tax
        d.total = total
        return d
    }
}
