/// A final document as its ledger entry records it.
public struct IssuedDocument: Sendable {
    public var seq: Int
    public var at: String
    public var kind: DocumentKind
    public var number: String
    public var period: Period
    public var partyId: String
    public var currency: Currency
    public var subtotal: ExactDecimal
    public var tax: ExactDecimal
    public var total: ExactDecimal
    public var file: String
    public var sha256: String
    /// The invoice or statement a credit note or adjustment refers to.
    public var refersTo: String?
    /// An invoice's due date (issue date in site time + the client's payment terms).
    public var dueOn: LocalDate? = nil
    /// A rerun's new invoice (statement): the documents of the month it takes the place of.
    public var replaces: [String] = []
    /// A rerun's new invoice (statement): the reversal issued beside it, which it nets.
    public var reversedBy: String? = nil
    /// A rerun's new statement: what the payee held for the month (``DocumentRecord/paidBefore``).
    public var paidBefore: ExactDecimal? = nil
    /// A close's statement: what it set off for earlier adjustments (``DocumentRecord/setOff``).
    public var setOff: ExactDecimal? = nil
    /// A statement that sets off what the payee holds in other currencies (``DocumentRecord/heldElsewhere``).
    public var heldElsewhere: [HeldElsewhere] = []
    /// An adjustment issued beside the new statement that nets it (``DocumentRecord/nettedIn``).
    public var nettedIn: String? = nil

    /// The numbers a credit note or adjustment names (``refersTo``, one or several).
    public var namedDocuments: [String] {
        (refersTo ?? "").split(separator: ",").map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
    }

    /// Its issue date in the site's time zone (its entry's `at`); nil when `at` does not read.
    public func issuedOn(in zone: SiteTimeZone) -> LocalDate? {
        (try? FieldValue.timestamp(Substring(at), zone: zone)).map { zone.localDate(of: $0) }
    }

    /// Signed effect on what the party is owed or owes: credits and adjustments subtract.
    public var signedTotal: ExactDecimal {
        (kind == .creditNote || kind == .payoutAdjustment) ? ExactDecimal(mantissa: -total.mantissa, scale: total.scale) : total
    }
}

extension IssuedDocument {
    /// What the state keeps of a document entry, read without its lines: replaying years of
    /// closed months decodes thousands of these. (`recon verify` reads every line, as
    /// ``DocumentRecord/init(entry:)``, and regenerates the workbook from them.)
    init(entry: LedgerEntry) throws {
        let b = BodyReader(entry: entry)
        let kind = try b.documentKind(), period = try b.documentPeriod(), currency = try b.currency("currency")
        let number = try b.string("number")
        self.init(seq: entry.seq, at: entry.at, kind: kind, number: number, period: period,
                  partyId: try b.string(kind.isClientSide ? "client_id" : "radiologist_id"), currency: currency,
                  subtotal: try b.decimal("subtotal"), tax: try b.decimal("tax"), total: try b.decimal("total"),
                  file: Site.documentPath(kind: kind, period: period, number: number), sha256: b.optional("sha256") ?? "",
                  refersTo: entry.body["refers_to"] == nil ? nil : b.strings("refers_to").joined(separator: ", "),
                  dueOn: b.optional("due_on").flatMap { LocalDate(Substring($0)) },
                  replaces: entry.body["replaces"] == nil ? [] : b.strings("replaces"), reversedBy: b.optional("reversed_by"))
        if entry.body["paid_before"] != nil { paidBefore = try b.decimal("paid_before") }
        if entry.body["set_off"] != nil { setOff = try b.decimal("set_off") }
        heldElsewhere = (entry.body["held_elsewhere"]?.arrayValue ?? []).compactMap { HeldElsewhere(json: $0) }
        nettedIn = b.optional("netted_in")
    }
}

/// What a document entry (`invoice.issued`, `payout.issued`, …) holds, read as
/// ``IssuedDocument`` and ``DocumentRecord`` both read it.
extension BodyReader {
    func documentKind() throws -> DocumentKind {
        guard let kind = DocumentKind.allCases.first(where: { $0.entryKind == entry.kind }) else {
            throw damage("\(entry.kind) is not a document entry")
        }
        return kind
    }

    func documentPeriod() throws -> Period {
        guard let p = Period(try string("period")) else { throw damage("period is not YYYY-MM") }
        return p
    }

    func currency(_ key: String) throws -> Currency {
        guard let c = Currency(code: try string(key)) else { throw damage("unknown currency") }
        return c
    }

    /// An amount or rate, as its exact decimal.
    func decimal(_ key: String) throws -> ExactDecimal {
        let text = try string(key)
        guard let value = ExactDecimal(recorded: Substring(text)) else { throw damage("\(key) is not a decimal") }
        return value
    }
}
