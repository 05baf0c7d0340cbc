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
