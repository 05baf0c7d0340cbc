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
    public var tax: ExactDecimal
    public var total: ExactDecimal
    public var reportCount: Int

    /// Builds the totals from rounded lines: subtotal = Σ lines, tax rounded once, total = subtotal + tax.
    public init(kind: DocumentKind, partyId: String, partyName: String, currency: Currency, taxRate: ExactDecimal,
                lines: [DocumentLine], reportCount: Int) throws {
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
        // subtotal × tax_rate / 100 is exact in decimal (two more places), then rounded once.
        let product = try sum * taxRate
        tax = try currency.round(ExactDecimal(mantissa: product.mantissa, scale: product.scale + 2))
        total = try subtotal + tax
    }
}
