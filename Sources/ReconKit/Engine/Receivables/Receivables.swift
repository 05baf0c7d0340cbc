/// A client's account (SPEC §5): its invoices, credit notes and payments in date order with
/// a running balance, what each payment settled, and what is outstanding by age past due.
///
/// Credit notes settle their own invoice. Payments, in order of (received_on, payment_id),
/// go to the invoice they name, then to open invoices by (due_on, number); what is left is
/// unapplied credit. Balances are per currency.
public struct Receivables: Sendable {
    /// One row of the statement.
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable { case invoice, creditNote = "credit note", payment }
        public var date: LocalDate
        public var kind: Kind
        /// The document number or payment id.
        public var reference: String
        /// What it refers to: a credit note's invoice, a payment's named invoice or reference.
        public var detail: String
        public var dueOn: LocalDate?
        /// Positive for an invoice, negative for what reduces the balance.
        public var amount: ExactDecimal
        public var balance: ExactDecimal
    }

    /// Age past due (SPEC §5): current, 1–30, 31–60, 61–90, over 90 days.
    public static let bucketNames = ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]

    /// The account in one currency.
    public struct Account: Sendable {
        public var currency: Currency
        public var entries: [Entry] = []
        /// Invoices − credit notes − payments.
        public var totalDue: ExactDecimal
        /// Open invoice number → what is still owed on it.
        public var open: [(number: String, dueOn: LocalDate, amount: ExactDecimal)] = []
        /// Outstanding by age past due, in the order of ``Receivables/bucketNames``.
        public var buckets: [ExactDecimal]
        /// Payments beyond every invoice: money the client has in credit.
        public var unapplied: ExactDecimal
        /// What payments were set against each invoice, by number (none listed: nothing).
        public var paid: [String: ExactDecimal] = [:]
        /// Of ``unapplied``, what payments that named an invoice (or one it replaced) left over
        /// it, by that invoice's number: paid for it, beyond what it asks.
        public var overpaid: [String: ExactDecimal] = [:]
        /// What payments that named an invoice (or one it replaced) left over it and were set
        /// against other invoices, by that invoice's number: received for it too.
        public var passedOn: [String: ExactDecimal] = [:]
    }

    public var asOf: LocalDate
    public var accounts: [Account]

    /// The bucket a number of days past due falls in (0 or less is current).
    public static func bucket(daysPastDue days: Int) -> Int {
        switch days {
        case ...0: return 0
        case 1...30: return 1
        case 31...60: return 2
        case 61...90: return 3
        default: return 4
        }
    }

    /// The account of `clientId` as of `asOf`: documents issued and payments received by then.
    /// `issuedOn` gives a document's issue date (site time).
    public init(clientId: String, documents: [IssuedDocument], payments: [Payment], asOf: LocalDate,
                issuedOn: (IssuedDocument) -> LocalDate) throws {
        self.asOf = asOf
        let docs = documents.filter { $0.partyId == clientId && ($0.kind == .invoice || $0.kind == .creditNote) && issuedOn($0) <= asOf }
        let pays = payments.filter { $0.clientId == clientId && $0.receivedOn <= asOf }
        let currencies = Set(docs.map(\.currency)).union(pays.map(\.currency)).sorted()
        accounts = try currencies.map { c in
            try Self.account(c, docs: docs.filter { $0.currency == c }, payments: pays.filter { $0.currency == c },
                             asOf: asOf, issuedOn: issuedOn)
        }
    }

    private static func account(_ c: Currency, docs: [IssuedDocument], payments: [Payment], asOf: LocalDate,
                                issuedOn: (IssuedDocument) -> LocalDate) throws -> Account {
        // What is open on each invoice after its credit notes.
        let invoices = docs.filter { $0.kind == .invoice }
        var open: [String: ExactDecimal] = [:]
        for i in invoices { open[i.number] = i.total }
        for cn in docs.filter({ $0.kind == .creditNote }).sorted(by: { $0.seq < $1.seq }) {
            var left = cn.total
            // A reversal naming several invoices settles them in the order named.
            for number in cn.namedDocuments where open[number] != nil {
                let take = min(left, open[number]!)
                open[number] = try open[number]! - take
                left = try left - take
            }
        }
        // Payments: the named invoice first, then the invoices that replaced it, then the oldest due.
        // A rerun reverses the invoice a payment named: what was paid for that month stays on the
        // month's new invoice, not on an older month left unpaid (the new invoice asked for its
        // total less it, and a second rerun's asked for it again).
        let byDue = invoices.sorted { ($0.dueOn ?? issuedOn($0), $0.number) < ($1.dueOn ?? issuedOn($1), $1.number) }
        var replacedBy: [String: String] = [:]
        for i in invoices { for number in i.replaces { replacedBy[number] = i.number } }
        var unapplied = c.zero
        var paid: [String: ExactDecimal] = [:], overpaid: [String: ExactDecimal] = [:], passedOn: [String: ExactDecimal] = [:]
        for p in payments.sorted(by: { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }) {
            var left = p.amount
            var named: [String] = []
            var next = p.invoice
            while let number = next, !named.contains(number) {
                named.append(number)
                next = replacedBy[number]
            }
            let order = named + byDue.map(\.number).filter { !named.contains($0) }
            for number in order {
                guard left > .zero, let owed = open[number], owed > .zero else { continue }
                let take = min(left, owed)
                open[number] = try owed - take
                paid[number] = try (paid[number] ?? c.zero) + take
                left = try left - take
                if let last = named.last, !named.contains(number) { passedOn[last] = try (passedOn[last] ?? c.zero) + take }
            }
            unapplied = try unapplied + left
            if left > .zero, let last = named.last { overpaid[last] = try (overpaid[last] ?? c.zero) + left }
        }
        // Outstanding by age past due.
        var buckets = [ExactDecimal](repeating: c.zero, count: bucketNames.count)
        var openList: [(number: String, dueOn: LocalDate, amount: ExactDecimal)] = []
        for i in byDue {
            guard let owed = open[i.number], owed > .zero else { continue }
            let due = i.dueOn ?? issuedOn(i)
            let b = bucket(daysPastDue: Int(asOf.dayNumber - due.dayNumber))
            buckets[b] = try buckets[b] + owed
            openList.append((i.number, due, owed))
        }
        // The statement's rows in date order with a running balance. Same day: the documents in
        // the order they were issued (a rerun's credit note before the invoice that replaces it),
        // then payments, so every balance shown is one the account had.
        var rows: [(entry: Entry, order: Int)] = docs.map { d in
            (Entry(date: issuedOn(d), kind: d.kind == .invoice ? .invoice : .creditNote, reference: d.number,
                   detail: d.kind == .creditNote ? "for \(d.refersTo ?? "")" : "period \(d.period)", dueOn: d.dueOn,
                   amount: d.signedTotal, balance: c.zero), d.seq)
        }
        rows += payments.map { p in
            let detail = [p.invoice.map { "for \($0)" }, p.reference.isEmpty ? nil : "ref. \(p.reference)"].compactMap { $0 }
            return (Entry(date: p.receivedOn, kind: .payment, reference: p.id, detail: detail.joined(separator: ", "), dueOn: nil,
                          amount: ExactDecimal(mantissa: -p.amount.mantissa, scale: p.amount.scale), balance: c.zero), Int.max)
        }
        rows.sort { ($0.entry.date, $0.order, $0.entry.reference) < ($1.entry.date, $1.order, $1.entry.reference) }
        var entries = rows.map(\.entry)
        var balance = c.zero
        for i in entries.indices {
            balance = try balance + entries[i].amount
            entries[i].balance = balance
        }
        return Account(currency: c, entries: entries, totalDue: balance, open: openList, buckets: buckets, unapplied: unapplied,
                       paid: paid, overpaid: overpaid, passedOn: passedOn)
    }
}

