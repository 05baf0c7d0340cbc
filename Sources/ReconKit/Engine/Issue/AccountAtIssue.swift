/// A client's account as the statement will show it once a new invoice or a credit note is
/// issued (SPEC §5: payments to the invoice they name, then the oldest due; credit notes settle
/// their own): what is set against the new invoice, the credit left, and the other invoices
/// whose open amount changes. A rerun's new invoice, a close's invoice and a credit note say
/// it, so a payer reading them pays what the statement shows open, not a total again.
struct AccountAtIssue {
    let session: SiteSession

    /// What the client's payments are set against a new invoice (`fresh`: a rerun's, replacing
    /// `invoices`, reversed by `reversal` when there is one; or a close's) once it is issued, with what payments
    /// naming it paid beyond it (a client that paid 400.00 on a 283.20 invoice paid 400.00 for
    /// it): the account as the statement will show it after this rerun, so the invoice asks for
    /// what the statement shows open on it. Counted on the account before the rerun, a payment
    /// that had paid beyond the old invoice into an older open one was left out, and the
    /// invoice asked for more than the statement; nil when nothing. `moved`: of what is set against
    /// it, what the account did not hold as credit before — payments taken off invoices that now
    /// fall due after it (``DocumentRecord/creditMoved``).
    func reckon(new fresh: DocumentDraft, replacing invoices: [String], reversal: (draft: DocumentDraft, refersTo: [String])?,
               of client: String) throws -> (paid: ExactDecimal?, credit: [Money], changes: [AccountChange], moved: ExactDecimal?) {
        let state = session.state, today = self.today
        var documents = state.issued
        if let reversal { documents.append(standIn(reversal.draft, refersTo: reversal.refersTo, number: "(this rerun's reversal)", of: client)) }
        let terms = state.pricing.clients[client]?.paymentTermsDays ?? 30
        // Sorted after every number issued, as the one it is given will be (issued last): a
        // stand-in sorting before `INV-…` took an unnamed payment first among invoices due the
        // same day, and the invoice asked for less than the statement then showed open on it.
        let number = "~(this rerun's invoice)"
        documents.append(IssuedDocument(seq: (documents.map(\.seq).max() ?? 0) + 1, at: SiteClock.text(session.clock.now()),
                                        kind: .invoice, number: number, period: today.period, partyId: client,
                                        currency: fresh.currency, subtotal: fresh.subtotal, tax: fresh.tax, total: fresh.total,
                                        file: "", sha256: "", dueOn: LocalDate(dayNumber: today.dayNumber + Int32(terms)),
                                        replaces: invoices))
        let accounts = try self.accounts(of: client, documents: documents)
        let account = accounts.first { $0.currency == fresh.currency }
        // What a payment naming the month's invoice paid beyond it, into credit or other invoices, was received for it too.
        let paid = try [account?.paid[number], account?.overpaid[number], account?.passedOn[number]].compactMap { $0 }
            .reduce(fresh.currency.zero) { try $0 + $1 }
        let before = try self.accounts(of: client, documents: state.issued)
        let reversed = Set(invoices + (reversal?.refersTo ?? []))
        // Of what is set against it, what the account held beyond its invoices before is its
        // credit; the rest paid invoices that now fall due after it (their terms were longer).
        let creditBefore = before.first { $0.currency == fresh.currency }?.unapplied ?? fresh.currency.zero
        let moved = paid > creditBefore ? try paid - creditBefore : nil
        // The client's credit once this rerun's documents are in, in every currency: a payment
        // that named no invoice, or one in the currency it was billed in before, is credit too.
        return (paid > .zero ? paid : nil, Self.credit(accounts),
                Self.changes(from: before, to: accounts, leaving: reversed.union([number]), issued: state.issued), moved)
    }

    /// The client's credit in each currency, and its other invoices whose open amount changes,
    /// once a credit note (`draft`, on the invoices `refersTo`) is issued with no new invoice: a
    /// rerun's reversal of a month taken back whole, or `recon credit`. A payment that had paid
    /// the credited invoice goes to another open invoice, or to credit; the credit note says so
    /// (it said only that it reduced what was due on an invoice paid already).
    func afterCreditNote(_ draft: DocumentDraft, refersTo: [String], of client: String) throws -> (credit: [Money], changes: [AccountChange]) {
        let issued = session.state.issued
        let before = try accounts(of: client, documents: issued)
        let after = try accounts(of: client, documents: issued + [standIn(draft, refersTo: refersTo, number: "(this credit note)", of: client)])
        return (Self.credit(after), Self.changes(from: before, to: after, leaving: Set(refersTo), issued: issued))
    }

    /// Today, in the site's time zone: the day the documents are issued and the account is read.
    private var today: LocalDate { session.state.zone.today(now: session.clock.now()) }

    /// The client's account in each currency with `documents`, as of today.
    private func accounts(of client: String, documents: [IssuedDocument]) throws -> [Receivables.Account] {
        let zone = session.state.zone, today = self.today
        return try Receivables(clientId: client, documents: documents, payments: session.state.payments, asOf: today) {
            $0.issuedOn(in: zone) ?? today
        }.accounts
    }

    /// A credit note about to be issued (`draft`, on the invoices `refersTo`), as the account reads
    /// it, after every document issued.
    private func standIn(_ draft: DocumentDraft, refersTo: [String], number: String, of client: String) -> IssuedDocument {
        let now = session.clock.now()
        return IssuedDocument(seq: (session.state.issued.map(\.seq).max() ?? 0) + 1, at: SiteClock.text(now), kind: .creditNote,
                              number: number, period: session.state.zone.today(now: now).period, partyId: client,
                              currency: draft.currency, subtotal: draft.subtotal, tax: draft.tax, total: draft.total, file: "",
                              sha256: "", refersTo: refersTo.joined(separator: ", "))
    }

    /// The client's credit in each currency: what payments left beyond its invoices.
    private static func credit(_ accounts: [Receivables.Account]) -> [Money] {
        accounts.filter { $0.unapplied > .zero }.map { Money($0.unapplied, $0.currency) }
    }

    /// The invoices, but those in `leaving`, whose open amount differs between the accounts
    /// `before` and `after` a rerun's documents, in (currency, number) order.
    static func changes(from before: [Receivables.Account], to after: [Receivables.Account], leaving: Set<String>,
                        issued: [IssuedDocument]) -> [AccountChange] {
        func open(_ accounts: [Receivables.Account]) -> [String: ExactDecimal] {
            Dictionary(accounts.flatMap { $0.open.map { ($0.number, $0.amount) } }, uniquingKeysWith: { a, _ in a })
        }
        let (was, now) = (open(before), open(after))
        return issued.filter { $0.kind == .invoice && !leaving.contains($0.number) }
            .sorted { ($0.currency.code, $0.number) < ($1.currency.code, $1.number) }
            .compactMap { invoice in
                let zero = invoice.currency.zero
                let (b, a) = (was[invoice.number] ?? zero, now[invoice.number] ?? zero)
                guard b != a else { return nil }
                return AccountChange(number: invoice.number, period: invoice.period, before: Money(b, invoice.currency),
                                     after: Money(a, invoice.currency))
            }
    }
}
