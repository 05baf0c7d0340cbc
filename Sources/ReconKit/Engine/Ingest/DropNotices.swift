/// What a drop changes or says that its clerk may not have meant, said once it is taken
/// (nothing here refuses: SPEC §2 accepts all of it).
///
/// A row upserts its client or radiologist whole, so a column left out of the file takes its
/// default for every party the file names: a clients file sent to correct a name took C1's
/// 18 % tax to 0 %, and a radiologists file without `currency` moved payouts to the base
/// currency. A card replaces the whole card of its date (rows it leaves out stop applying),
/// and cards or rates dated in a closed month reach that month only through a rerun. A
/// payment received before the invoice it names was issued has a wrong date or invoice.
public enum DropNotices {
    /// How many parties a warning names before it counts the rest.
    static let partiesNamed = 5

    /// What to say: a warning, or a notice for what is usually meant (a card replaced by one of
    /// as many rows or more: a rate renegotiated).
    public struct Said: Sendable {
        public var text: String
        public var warning = true
    }

    static func said(_ name: String, _ rows: ParsedDrop, columns: [String: Int], state: SiteState) -> [Said] {
        let file = SafeText.escaped(name)
        switch rows {
        case .clients(let list):
            return resets(file, "client", list.compactMap { new in
                state.pricing.clients[new.id].map { old in (new.id, clientChanges(old, new, columns: columns)) }
            }).map { Said(text: $0) }
        case .radiologists(let list):
            return resets(file, "radiologist", list.compactMap { new in
                state.pricing.radiologists[new.id].map { old in (new.id, radiologistChanges(old, new, columns: columns)) }
            }).map { Said(text: $0) }
        case .providerRates(let list):
            let grades = Set(state.pricing.radiologists.values.map(\.grade))
            return cards(file, list, held: state.pricing.providerCards.cards, date: \.effectiveFrom,
                         key: { "grade/modality/urgency/years \($0.key.replacingOccurrences(of: "|", with: "/"))" },
                         terms: { "\($0.ratePerReport.normalized) \($0.ratePerImage.normalized) \($0.currency)" }, state: state)
                + unmatched(file, "grade", list.compactMap { r in r.grade.flatMap { grades.contains($0) ? nil : ($0, r.line) } },
                            noOne: "no radiologist has").map { Said(text: $0) }
        case .clientRates(let list):
            let types = Set(state.pricing.clients.values.map(\.contractType))
            return cards(file, list, held: state.pricing.clientCards.cards, date: \.effectiveFrom,
                         key: { "\($0.scheduleKey.text), tier from \($0.tierFrom)" },
                         terms: { "\($0.tierTo.map(String.init) ?? "") \($0.unitPrice.normalized) \($0.currency) \($0.tierMode)" },
                         state: state)
                + (unmatched(file, "client_id", list.compactMap { r in
                    r.clientId.flatMap { state.pricing.clients[$0] == nil ? ($0, r.line) : nil } }, noOne: "no clients drop has named")
                   + unmatched(file, "contract_type", list.compactMap { r in
                    r.contractType.flatMap { types.contains($0) ? nil : ($0, r.line) } }, noOne: "no client has")).map { Said(text: $0) }
        case .payments(let list):
            return (earlyPayments(file, list, state: state) + repeatedPayments(file, list, state: state)).map { Said(text: $0) }
        case .fxRates(let list):
            return (replacedRates(file, list, state: state) + closedMonths(file, "rates", list.map(\.date), state: state)).map { Said(text: $0) }
        default:
            return []
        }
    }

    /// Rate rows naming a client, contract type or grade the site does not know: a typo
    /// (`C01` for `C1`) prices no one, and the client is billed the wildcard row's price with
    /// no problem to show it. Rows for a party still to come are fine, so it is a warning.
    static func unmatched(_ file: String, _ column: String, _ found: [(value: String, line: Int)], noOne: String) -> [String] {
        var seen = Set<String>(), named: [(value: String, line: Int)] = []
        for f in found where seen.insert(f.value).inserted { named.append(f) }
        guard !named.isEmpty else { return [] }
        let shown = named.prefix(partiesNamed).map { "\(SafeText.escaped($0.value)) (line \($0.line))" }.joined(separator: ", ")
            + (named.count > partiesNamed ? " and \(named.count - partiesNamed) more" : "")
        return ["\(file): \(column) \(shown) — which \(noOne) yet: \(named.count == 1 ? "its rows price" : "their rows price") "
            + "no one until one does (the reports meant are priced by the card's other rows, or are UNPRICED); check the "
            + "\(named.count == 1 ? "id" : "ids") if that is not meant"]
    }

    /// A field a left-out column reset: its name, what it was, what it is now.
    typealias Reset = (column: String, was: String, now: String)

    static func clientChanges(_ old: Client, _ new: Client, columns: [String: Int]) -> [Reset] {
        var fields: [Reset] = [("tax_rate", old.taxRate.description, new.taxRate.description)]
        // Components given before (without them, the one `Tax` follows the rate, said above).
        if !old.taxComponents.isEmpty {
            fields.append(("tax_components", components(old.effectiveTaxComponents), components(new.effectiveTaxComponents)))
        }
        fields += [("billing_address", shown(old.billingAddress.joined(separator: " | ")), shown(new.billingAddress.joined(separator: " | "))),
                   ("tax_id", shown(old.taxId), shown(new.taxId)), ("po_number", shown(old.poNumber), shown(new.poNumber)),
                   ("payment_terms_days", String(old.paymentTermsDays), String(new.paymentTermsDays)),
                   ("email", shown(old.email), shown(new.email))]
        return resetByAbsence(fields, columns: columns)
    }

    static func radiologistChanges(_ old: Radiologist, _ new: Radiologist, columns: [String: Int]) -> [Reset] {
        resetByAbsence([("currency", old.currency.code, new.currency.code),
                        ("address", shown(old.address.joined(separator: " | ")), shown(new.address.joined(separator: " | "))),
                        ("tax_id", shown(old.taxId), shown(new.taxId)), ("bank_details", shown(old.bankDetails), shown(new.bankDetails))],
                       columns: columns)
    }

    /// The fields whose column the file lacks and whose value that changed.
    static func resetByAbsence(_ fields: [Reset], columns: [String: Int]) -> [Reset] {
        fields.filter { columns[$0.column] == nil && $0.was != $0.now }
    }

    static func components(_ list: [TaxComponent]) -> String {
        list.map { "\($0.name):\($0.rate)" }.joined(separator: ";")
    }

    static func shown(_ text: String) -> String { text.isEmpty ? "(none)" : SafeText.escaped(text) }

    /// One warning for the parties whose fields a left-out column reset.
    static func resets(_ file: String, _ party: String, _ changes: [(id: String, resets: [Reset])]) -> [String] {
        let changed = changes.filter { !$0.resets.isEmpty }
        guard !changed.isEmpty else { return [] }
        let columns = Set(changed.flatMap { $0.resets.map(\.column) }).sorted()
        let named = changed.prefix(partiesNamed).map { c in
            "\(c.id): " + c.resets.map { "\($0.column) \($0.was) → \($0.now)" }.joined(separator: ", ")
        }
        let more = changed.count > partiesNamed ? "; and \(changed.count - partiesNamed) more" : ""
        return ["\(file) has no \(columns.joined(separator: ", ")) column\(columns.count == 1 ? "" : "s"), and a row sets every "
            + "field of its \(party) (SPEC §2: a column left out takes its default), so it changed " + named.joined(separator: "; ")
            + more + " — if that was not meant, drop the full rows again with those columns"]
    }

    /// Cards a drop replaces whole, and dates of it in closed months.
    static func cards<Row>(_ file: String, _ rows: [Row], held: [LocalDate: [Row]], date: (Row) -> LocalDate,
                           key: (Row) -> String, terms: (Row) -> String, state: SiteState) -> [Said] {
        let byDate = Dictionary(grouping: rows, by: date)
        var out: [Said] = []
        for (day, new) in byDate.sorted(by: { $0.key < $1.key }) {
            guard let old = held[day] else { continue }
            // The same rows again (another file, `500.0` for `500`): nothing replaced.
            func rowSet(_ list: [Row]) -> Set<String> { Set(list.map { key($0) + " = " + terms($0) }) }
            guard rowSet(old) != rowSet(new) else { continue }
            let kept = Set(new.map(key))
            let dropped = Array(Set(old.map(key)).subtracting(kept)).sorted()
            if dropped.isEmpty {
                out.append(Said(text: "\(file) replaces the card of \(day) (\(old.count) row\(old.count == 1 ? "" : "s") → \(new.count))",
                                warning: false))
            } else {
                out.append(Said(text: "\(file) replaces the whole card of \(day) (\(old.count) row\(old.count == 1 ? "" : "s") → \(new.count)), "
                    + "and the old card's rows for " + dropped.prefix(partiesNamed).joined(separator: "; ")
                    + (dropped.count > partiesNamed ? "; and \(dropped.count - partiesNamed) more" : "")
                    + " are not in it: they no longer apply — if that was not meant, drop the card again with them"))
            }
        }
        return out + cardsInClosedMonths(file, Set(byDate.keys), held: Set(held.keys), state: state).map { Said(text: $0) }
    }

    /// Cards of `dates` in force in a closed month (dated in it, or replacing the card in force
    /// there): they reach it only through a rerun.
    static func cardsInClosedMonths(_ file: String, _ dates: Set<LocalDate>, held: Set<LocalDate>, state: SiteState) -> [String] {
        let all = held.union(dates).sorted()
        var closed = Set<Period>()
        for day in dates {
            let next = all.first { $0 > day }
            for p in state.closedPeriods.keys where p.lastDay >= day && (next.map { p.firstDay < $0 } ?? true) { closed.insert(p) }
        }
        return closedMonths(file, "rows", in: closed.sorted(), state: state)
    }

    /// Payments dated before the invoice they name was issued (in the site's time zone).
    static func earlyPayments(_ file: String, _ list: [Payment], state: SiteState) -> [String] {
        let issued = Dictionary(state.issued.filter { $0.kind == .invoice }.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        let early = list.compactMap { p -> String? in
            guard let number = p.invoice, let issuedOn = issued[number]?.issuedOn(in: state.zone) else { return nil }
            return p.receivedOn < issuedOn ? "\(p.id) received \(p.receivedOn), before \(number) was issued (\(issuedOn))" : nil
        }
        guard !early.isEmpty else { return [] }
        return ["\(file): " + early.prefix(partiesNamed).joined(separator: "; ") + (early.count > partiesNamed ? "; and \(early.count - partiesNamed) more" : "")
            + " — a payment cannot be for an invoice not yet issued: check its received_on or its invoice; it is recorded as "
            + "received (a statement as of a day between the two shows the payment, not yet the invoice)"]
    }

    /// Payments that look like one already recorded under another payment_id: the same client,
    /// reference, amount, currency and day (a bank export and an AR export of one transfer).
    /// Both count (SPEC §2 makes only payment_id unique), so an invoice paid once read as paid
    /// twice over without a word; and a payment cannot be taken back, so the dry run says it too.
    static func repeatedPayments(_ file: String, _ list: [Payment], state: SiteState) -> [String] {
        func key(_ p: Payment) -> String? {
            p.reference.isEmpty ? nil : [p.clientId, p.reference, p.amount.normalized.description, p.currency.code, p.receivedOn.description]
                .joined(separator: "\u{1F}")
        }
        var seen: [String: String] = [:]
        for p in state.payments { if let k = key(p), seen[k] == nil { seen[k] = p.id } }
        var repeats: [String] = []
        for p in list {
            guard let k = key(p) else { continue }
            if let first = seen[k], first != p.id {
                repeats.append("\(p.id) has the client, reference (\(SafeText.escaped(p.reference))), amount, currency and date of \(first)")
            } else {
                seen[k] = p.id
            }
        }
        guard !repeats.isEmpty else { return [] }
        return ["\(file): " + repeats.prefix(partiesNamed).joined(separator: "; ")
            + (repeats.count > partiesNamed ? "; and \(repeats.count - partiesNamed) more" : "")
            + " — both are recorded as received (their payment ids differ): if it is one transfer exported twice, the "
            + "client's statement now counts it twice, and a payment is never taken back (look at payments drops with "
            + "`recon ingest --dry-run` first)"]
    }

    /// Rates for a currency and date the site holds already, with another value: the new one
    /// replaces it, as a card replaces the card of its date — which is said, and a rate was not
    /// (a slipped decimal point took a draft from 1.20 to 11.98 USD without a word).
    static func replacedRates(_ file: String, _ list: [FXRate], state: SiteState) -> [String] {
        let fx = state.pricing.fx
        let replaced = list.compactMap { r -> String? in
            guard fx.rowDate(r.currency, on: r.date) == r.date, let old = fx.rate(r.currency, on: r.date),
                  old.normalized != r.rate.normalized else { return nil }
            return "line \(r.line), \(r.currency) on \(r.date): \(old.normalized) → \(r.rate.normalized)"
        }
        guard !replaced.isEmpty else { return [] }
        let shown = replaced.prefix(partiesNamed).joined(separator: "; ") + (replaced.count > partiesNamed ? "; …" : "")
        return ["\(file) replaces \(replaced.count == 1 ? "a rate" : "\(replaced.count) rates") the site held (\(shown)): the new "
            + "\(replaced.count == 1 ? "one is" : "ones are") used from now on — if a value is wrong, drop the rate again with the right one"]
    }

    /// Dates in closed months: accepted (SPEC §2), applied to those months only by a rerun.
    static func closedMonths(_ file: String, _ what: String, _ dates: [LocalDate], state: SiteState) -> [String] {
        closedMonths(file, what, in: Set(dates.map(\.period)).filter { state.closedPeriods[$0] != nil }.sorted(), state: state)
    }

    static func closedMonths(_ file: String, _ what: String, in closed: [Period], state: SiteState) -> [String] {
        guard !closed.isEmpty else { return [] }
        let list = closed.map(\.description).joined(separator: ", ")
        return ["\(file) holds \(what) in force in closed \(list): they reach \(closed.count == 1 ? "that month" : "those months") "
            + "only through `recon rerun \(closed[0])`" + (closed.count > 1 ? " (and of each other)" : "")
            + "; later months use them from now on"]
    }
}
