/// A priced document for one party and period: the lines and their totals.
public struct DocumentDraft: Sendable, Equatable {
    public var kind: DocumentKind
    public var partyId: String
    public var partyName: String
    public var currency: Currency
    /// Percent; always 0 on the payout side.
    public var taxRate: ExactDecimal
    public var lines: [DocumentLine]
    public var subtotal: ExactDecimal
    /// One per tax component, each rounded once; none on the payout side.
    public var taxes: [TaxAmount]
    public var tax: ExactDecimal
    public var total: ExactDecimal
    public var reportCount: Int
    /// The rate of every currency a line was priced in other than the document's.
    public var fx: [FXQuote] = []

    /// Builds the totals from rounded lines: subtotal = Σ lines, each tax component rounded
    /// once on it, tax = Σ components, total = subtotal + tax. Without `components`, one
    /// component `Tax` at `taxRate` (none on the payout side).
    public init(kind: DocumentKind, partyId: String, partyName: String, currency: Currency, taxRate: ExactDecimal,
                lines: [DocumentLine], reportCount: Int, components: [TaxComponent]? = nil) throws {
        self.kind = kind
        self.partyId = partyId
        self.partyName = partyName
        self.currency = currency
        self.taxRate = taxRate
        self.lines = lines
        self.reportCount = reportCount
        var sum = currency.zero
        for l in lines { sum = try sum + l.amount }
        subtotal = sum
        let split = kind.isClientSide ? (components ?? TaxComponent.single(taxRate: taxRate)) : []
        taxes = try TaxSplit.onSubtotal(sum, split, currency: currency)
        tax = try TaxSplit.total(taxes, currency: currency)
        total = try subtotal + tax
    }
}
