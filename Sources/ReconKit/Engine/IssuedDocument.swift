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
        let b = entry.body
        func s(_ k: String) throws -> String {
            guard let v = b[k]?.stringValue else { throw LedgerDamage(seq: entry.seq, "\(entry.kind) lacks \(k)") }
            return v
        }
        func dec(_ k: String) throws -> ExactDecimal {
            guard let v = try? FieldValue.decimal(Substring(try s(k))) else { throw LedgerDamage(seq: entry.seq, "\(k) is not a decimal") }
            return v
        }
        guard let kind = DocumentKind.allCases.first(where: { $0.entryKind == entry.kind }) else {
            throw LedgerDamage(seq: entry.seq, "\(entry.kind) is not a document entry")
        }
        guard let period = Period(try s("period")) else { throw LedgerDamage(seq: entry.seq, "period is not YYYY-MM") }
        guard let currency = Currency(code: try s("currency")) else { throw LedgerDamage(seq: entry.seq, "unknown currency") }
        self.init(seq: entry.seq, at: entry.at, kind: kind, number: try s("number"), period: period,
                  partyId: try s(kind.isClientSide ? "client_id" : "radiologist_id"), currency: currency,
                  subtotal: try dec("subtotal"), tax: try dec("tax"), total: try dec("total"),
                  file: Site.documentPath(kind: kind, period: period, number: try s("number")),
                  sha256: b["sha256"]?.stringValue ?? "",
                  refersTo: b["refers_to"] == nil ? nil : BodyReader(entry: entry).strings("refers_to").joined(separator: ", "),
                  dueOn: b["due_on"]?.stringValue.flatMap { LocalDate(Substring($0)) })
    }
}
