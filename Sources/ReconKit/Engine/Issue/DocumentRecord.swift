import XLSX

/// Everything a final document shows, exactly as its ledger entry holds it.
///
/// The workbook is generated from this record alone (plus the entry's time), so anyone can
/// regenerate a document from the ledger and get the same bytes.
public struct DocumentRecord: Sendable, Equatable {
    public var kind: DocumentKind
    public var number: String
    public var period: Period
    public var site: String
    public var partyId: String
    public var partyName: String
    public var currency: Currency
    public var taxRate: ExactDecimal
    public var lines: [DocumentLine]
    public var subtotal: ExactDecimal
    public var tax: ExactDecimal
    public var total: ExactDecimal
    /// The ledger state it was issued under: seq and head hash before its own entry.
    public var issuedUnderSeq: Int
    public var issuedUnderHash: String
    /// Signed checkpoint in force when issued (`Ledger/checkpoints/SEQ.txt`), if any.
    public var checkpoint: String?
    public var refersTo: String?
    /// The issue date of each document ``refersTo`` names, in its order (layout 7 on): what a
    /// credit note must give for accounts payable to find the invoice it amends.
    public var refersToIssuedOn: [LocalDate]?
    public var reason: String?
    /// A rerun's new invoice (statement): the party's documents of the period it takes the
    /// place of, and the credit note (payout adjustment) the same rerun reversed them by, if
    /// one (none when `recon credit` had brought them to zero). Printed, so the hospital's
    /// payables (the radiologist) see a replacement, not a second bill (payment) for the month.
    public var replaces: [String]?
    public var reversedBy: String?
    /// On a rerun's new invoice: what the client had paid on the invoices it replaces when it was
    /// issued. That money stays on the account (set against what is due, oldest first), and the
    /// invoice says so, so that no one pays the month twice from the documents alone. On a
    /// rerun's new payout statement (layout 12): what the statements it replaces paid the payee,
    /// which its adjustment takes back, so it says what is left to transfer.
    public var paidBefore: ExactDecimal?
    /// On a rerun's payout adjustment (layout 13): the new statement issued beside it, whose
    /// transfer already counts what the adjustment takes back — so the adjustment asks for no
    /// set-off of its own (it did, and the payee was short-paid by what both took back).
    public var nettedIn: String?
    /// On a rerun's new invoice (layout 13): the client's credit in each currency once it was
    /// issued — payments beyond every invoice, named or not, and in a currency the client was
    /// billed in before. The invoice says it, so that money is not lost from sight (it said
    /// only what a payment naming the replaced invoice paid beyond it).
    public var accountCredit: [Money] = []
    /// On a rerun's new payout statement (layout 14): what the payee holds for the month in
    /// other currencies (its currency changed), with each amount at the period's rate, so the
    /// statement sets it off in figures. It said "set all of it off" with no amount or rate.
    public var heldElsewhere: [HeldElsewhere] = []
    /// On a rerun's new invoice (layout 14): the client's other invoices whose open amount its
    /// documents change, as payments are set against the invoices anew. A payment that had
    /// settled the reversed invoice went to another, whose own document still asked for its
    /// total, and the invoices in force asked for more than was due (or the reverse).
    public var accountChanges: [AccountChange] = []
    /// On a close's invoice to a client in credit (layout 14): what the account — payments
    /// beyond its earlier invoices — sets against it when it is issued, so it asks for what is
    /// left. It asked for its total, which the statement showed paid already.
    public var creditApplied: ExactDecimal?
    /// Of ``creditApplied`` (layout 15): what payments that had been set against the client's
    /// invoices falling due after this one (their terms were longer) now pay on it, rather than
    /// credit. It was all called "your account's credit" beside a statement showing money owed.
    public var creditMoved: ExactDecimal?
    /// On a close's payout statement (layout 16): what is set off against its total for what
    /// earlier payout adjustments took back (``setOffFor``), which the payee owes. The next
    /// close's statement said nothing of it, and followed as printed the payee kept it.
    public var setOff: ExactDecimal?
    /// The payout adjustments whose amounts ``setOff`` recovers.
    public var setOffFor: [String] = []
    /// What the payee still owes after ``setOff`` (set off against what is next paid, or repaid).
    public var setOffLeft: ExactDecimal?
    /// One per tax component (none on the payout side).
    public var taxes: [TaxAmount] = []
    /// The rate of each foreign currency a line was priced in.
    public var fx: [FXQuote] = []
    /// Site-time date of issue, and for an invoice its due date (issue date + payment terms).
    public var issuedOn: LocalDate?
    public var dueOn: LocalDate?
    public var paymentTermsDays: Int?
    /// Who issues it (nil: the site's `[seller]` was not set) and the party's details.
    public var seller: SellerDetails?
    public var party = PartyDetails()
    public var paper: PaperSize = .a4
    /// How its workbook is laid out, so a document issued by an earlier version regenerates
    /// byte for byte: 1 (entries without `layout`), 2 since credit notes print the seller's
    /// payment instructions, 3 since a payout adjustment reads as one (not as a payment) and
    /// the `Lines` sheet fits its party ids and sets its currency codes apart from the amounts,
    /// 4 since the first sheet prints every seller and buyer line whole (across the page,
    /// wrapped), wraps long values and writes the period of service as date cells, 5 since
    /// its parts are deflated at zlib's level 1 (``PartDeflate``; only a program that can ask
    /// libxlsxwriter for that level issues or regenerates it), 6 since its unit price and
    /// amount columns, on both sheets, are as wide as the widest amount they hold (a month of
    /// 1,875,000,000.00 IDR printed `###` in `Lines`), 7 since every printed page of both
    /// sheets names the document in its footer, a credit note or payout adjustment gives the
    /// issue date of each document it refers to (``refersToIssuedOn``), text shaped like
    /// Excel's `_xHHHH_` character code shows as typed (``Workbook/keepsCharacterCodesLiteral``),
    /// and each line's description wraps on a row as tall as it needs, 8 since an invoice's tax
    /// components are its exact amounts, not formulas a spreadsheet recalculates in doubles, 9
    /// since a line whose description wraps has its quantity and amounts level with its first
    /// line (they sat at the foot of the tall row, read as the next line's), 10 since a credit
    /// note or payout adjustment says its exchange rates are those of what it reverses, 11 since
    /// the first sheet starts a printed page before a block a page's foot would cut (totals,
    /// exchange rates, payment, ledger lines), its quantity column is as wide as its largest
    /// quantity, and a replacement invoice asks for its total less what was received against
    /// the invoice it replaces, 12 since a rerun's new payout statement says what is left to
    /// transfer: its total less what the statements it replaces paid, which its adjustment takes back,
    /// 13 since that is what the payee holds for the month once every earlier statement and
    /// adjustment is followed (not a statement to name as unpaid), an adjustment issued beside a
    /// new statement says that statement nets it, and a replacement invoice says what was
    /// received for the month rather than naming the invoice it replaces as the one paid, and
    /// 14 since a new payout statement sets off what the payee holds in another currency in
    /// figures, at the period's rate (``heldElsewhere``), and the adjustment beside it in that
    /// currency says the statement nets it; a replacement invoice counts what a payment naming
    /// the month's invoice paid beyond it into other invoices as received for the month, and
    /// names the client's other invoices whose open amount it changes (``accountChanges``), and a
    /// close's invoice to a client in credit asks for its total less that credit (``creditApplied``),
    /// 15 since such an invoice and a credit note that changes what other invoices leave to pay
    /// say so in their head, the credit set against an invoice is told apart from payments that
    /// paid invoices now falling due after it (``creditMoved``), and a rerun's new statement for
    /// a payee who holds nothing for the month says to transfer its total, and 16 since a close's
    /// payout statement sets off what earlier adjustments took back from the payee (``setOff``),
    /// and payout statements and adjustments name the payee's grade and seniority.
    public var layout = DocumentRecord.currentLayout
    public static let currentLayout = PartDeflate.canChoose ? newestLayout : 4
    /// The latest layout this build knows how to print: one after it is a later recon's.
    public static let newestLayout = 16

    /// What every printed page's footer names, from layout 7 on: the document's number.
    var footerTitle: String? { layout >= 7 ? number : nil }
    public var file: String { Site.documentPath(kind: kind, period: period, number: number) }

    public init(draft: DocumentDraft, number: String, period: Period, site: String, issuedUnderSeq: Int,
                issuedUnderHash: String, checkpoint: String?, refersTo: String? = nil, reason: String? = nil) {
        kind = draft.kind
        self.number = number
        self.period = period
        self.site = site
        partyId = draft.partyId
        partyName = draft.partyName
        currency = draft.currency
        taxRate = draft.taxRate
        lines = draft.lines
        subtotal = draft.subtotal
        tax = draft.tax
        total = draft.total
        self.issuedUnderSeq = issuedUnderSeq
        self.issuedUnderHash = issuedUnderHash
        self.checkpoint = checkpoint
        self.refersTo = refersTo
        self.reason = reason
        taxes = draft.taxes
        fx = draft.fx
    }

    private var partyKey: String { kind.isClientSide ? "client_id" : "radiologist_id" }
    private var partyNameKey: String { kind.isClientSide ? "client_name" : "radiologist_name" }

    /// The entry body, with the document's SHA-256.
    public func body(sha256: String) -> [String: JSONValue] {
        var b: [String: JSONValue] = [
            "number": .string(number), "period": .string(period.description), "site": .string(site),
            partyKey: .string(partyId), partyNameKey: .string(partyName), "currency": .string(currency.code),
            "tax_rate": .string(taxRate.normalized.description),
            "lines": .array(lines.map { l in
                // A credit line's unit amount is money (its amount), written with the currency's decimals.
                .object([
                    "modality": .string(l.modality), "urgency": .string(l.urgencyText), "per": .string(l.per),
                    "quantity": .int(Int64(l.quantity)), "unit_amount": .string(l.per == "credit" ? l.unitAmount.description : l.unitAmount.normalized.description),
                    "unit_currency": .string(l.unitCurrency.code), "amount": .string(l.amount.description),
                    "description": .string(l.description),
                ])
            }),
            "taxes": .array(taxes.map { t in
                .object(["name": .string(t.name), "rate": .string(t.rate.normalized.description), "amount": .string(t.amount.description)])
            }),
            "fx": .array(fx.map(\.json)),
            "party": party.json, "paper": .string(paper.rawValue),
            "subtotal": .string(subtotal.description), "tax": .string(tax.description), "total": .string(total.description),
            "issued_under": .object(["seq": .int(Int64(issuedUnderSeq)), "head": .string(issuedUnderHash)]),
            "file": .string(file), "sha256": .string(sha256),
        ]
        if let checkpoint { b["checkpoint"] = .string(checkpoint) }
        if let refersTo { b["refers_to"] = .array(LedgerEvent.splitList(refersTo).map { .string($0) }) }
        if let refersToIssuedOn { b["refers_to_issued_on"] = .array(refersToIssuedOn.map { .string($0.description) }) }
        if let reason { b["reason"] = .string(reason) }
        if let replaces { b["replaces"] = .array(replaces.map { .string($0) }) }
        if let reversedBy { b["reversed_by"] = .string(reversedBy) }
        if let paidBefore { b["paid_before"] = .string(paidBefore.description) }
        if let nettedIn { b["netted_in"] = .string(nettedIn) }
        if !accountCredit.isEmpty {
            b["account_credit"] = .array(accountCredit.map { .object($0.json) })
        }
        if !heldElsewhere.isEmpty { b["held_elsewhere"] = .array(heldElsewhere.map(\.json)) }
        if !accountChanges.isEmpty { b["account_changes"] = .array(accountChanges.map(\.json)) }
        if let creditApplied { b["credit_applied"] = .string(creditApplied.description) }
        if let creditMoved { b["credit_moved"] = .string(creditMoved.description) }
        if let setOff {
            b["set_off"] = .string(setOff.description)
            b["set_off_for"] = .array(setOffFor.map { .string($0) })
            if let setOffLeft { b["set_off_left"] = .string(setOffLeft.description) }
        }
        if let issuedOn { b["issued_on"] = .string(issuedOn.description) }
        if let dueOn { b["due_on"] = .string(dueOn.description) }
        if let paymentTermsDays { b["payment_terms_days"] = .int(Int64(paymentTermsDays)) }
        if let seller { b["seller"] = seller.json }
        if layout > 1 { b["layout"] = .int(Int64(layout)) }
        return b
    }

    /// Reads a record back from an `*.issued` entry.
    public init(entry read: LedgerEntry) throws {
        // What only the workbook shows was left in the ledger file when it was read.
        let entry = try read.whole()
        let b = entry.body, reader = BodyReader(entry: entry)
        let kind = try reader.documentKind()
        self.kind = kind
        number = try reader.string("number")
        period = try reader.documentPeriod()
        site = reader.optional("site") ?? ""
        partyId = try reader.string(kind.isClientSide ? "client_id" : "radiologist_id")
        partyName = reader.optional(kind.isClientSide ? "client_name" : "radiologist_name") ?? ""
        currency = try reader.currency("currency")
        taxRate = (try? reader.decimal("tax_rate")) ?? .zero
        subtotal = try reader.decimal("subtotal")
        tax = try reader.decimal("tax")
        total = try reader.decimal("total")
        var lines: [DocumentLine] = []
        for item in b["lines"]?.arrayValue ?? [] {
            guard let o = item.objectValue, let m = o["modality"]?.stringValue,
                let uText = o["urgency"]?.stringValue, let per = o["per"]?.stringValue,
                let q = o["quantity"]?.intValue, let ua = o["unit_amount"]?.stringValue,
                let uaValue = ExactDecimal(recorded: Substring(ua)),
                let uc = o["unit_currency"]?.stringValue.flatMap(Currency.init(code:)),
                let a = o["amount"]?.stringValue, let aValue = ExactDecimal(recorded: Substring(a))
            else { throw LedgerDamage(seq: entry.seq, "a line of \(entry.kind) is malformed") }
            lines.append(DocumentLine(modality: m, urgency: Urgency(rawValue: uText), per: per, quantity: Int(q), unitAmount: uaValue,
                                      unitCurrency: uc, amount: aValue, description: o["description"]?.stringValue ?? ""))
        }
        self.lines = lines
        for item in b["taxes"]?.arrayValue ?? [] {
            guard let o = item.objectValue, let n = o["name"]?.stringValue,
                let r = o["rate"]?.stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) }),
                let a = o["amount"]?.stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) })
            else { throw LedgerDamage(seq: entry.seq, "a tax component of \(entry.kind) is malformed") }
            taxes.append(TaxAmount(name: n, rate: r, amount: a))
        }
        for item in b["fx"]?.arrayValue ?? [] {
            guard let quote = FXQuote(json: item) else { throw LedgerDamage(seq: entry.seq, "an fx member of \(entry.kind) is malformed") }
            fx.append(quote)
        }
        issuedOn = b["issued_on"]?.stringValue.flatMap { LocalDate(Substring($0)) }
        dueOn = b["due_on"]?.stringValue.flatMap { LocalDate(Substring($0)) }
        paymentTermsDays = b["payment_terms_days"]?.intValue.map { Int($0) }
        seller = SellerDetails(json: b["seller"])
        party = PartyDetails(json: b["party"])
        paper = b["paper"]?.stringValue.flatMap(PaperSize.init(rawValue:)) ?? .a4
        layout = Int(b["layout"]?.intValue ?? 1)
        let under = b["issued_under"]?.objectValue
        issuedUnderSeq = Int(under?["seq"]?.intValue ?? 0)
        issuedUnderHash = under?["head"]?.stringValue ?? ""
        checkpoint = b["checkpoint"]?.stringValue
        // A JSON array; written before lists were arrays, one comma-joined string.
        refersTo = b["refers_to"] == nil ? nil : reader.strings("refers_to").joined(separator: ", ")
        if b["refers_to_issued_on"] != nil {
            refersToIssuedOn = reader.strings("refers_to_issued_on").compactMap { LocalDate(Substring($0)) }
        }
        reason = b["reason"]?.stringValue
        if b["replaces"] != nil { replaces = reader.strings("replaces") }
        reversedBy = b["reversed_by"]?.stringValue
        if b["paid_before"] != nil { paidBefore = try reader.decimal("paid_before") }
        if b["credit_applied"] != nil { creditApplied = try reader.decimal("credit_applied") }
        if b["credit_moved"] != nil { creditMoved = try reader.decimal("credit_moved") }
        if b["set_off"] != nil {
            setOff = try reader.decimal("set_off")
            setOffFor = reader.strings("set_off_for")
            if b["set_off_left"] != nil { setOffLeft = try reader.decimal("set_off_left") }
        }
        nettedIn = b["netted_in"]?.stringValue
        for credit in b["account_credit"]?.arrayValue ?? [] {
            guard let money = credit.objectValue.flatMap(Money.init(json:)) else {
                throw LedgerDamage(seq: entry.seq, "account_credit of \(entry.kind) is malformed")
            }
            accountCredit.append(money)
        }
        for item in b["held_elsewhere"]?.arrayValue ?? [] {
            guard let held = HeldElsewhere(json: item) else { throw LedgerDamage(seq: entry.seq, "held_elsewhere of \(entry.kind) is malformed") }
            heldElsewhere.append(held)
        }
        for item in b["account_changes"]?.arrayValue ?? [] {
            guard let change = AccountChange(json: item) else { throw LedgerDamage(seq: entry.seq, "account_changes of \(entry.kind) is malformed") }
            accountChanges.append(change)
        }
    }
}
