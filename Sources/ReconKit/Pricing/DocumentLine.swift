/// One line of an invoice, credit note or payout document.
public struct DocumentLine: Sendable, Equatable {
    public var modality: String
    /// nil on a credit or adjustment line that is not about one urgency (shown as `*`).
    public var urgency: Urgency?
    /// `report`, `image`, or `credit` for an amount credited as a whole.
    public var per: String
    public var quantity: Int
    public var unitAmount: ExactDecimal
    public var unitCurrency: Currency
    /// In the document's currency, rounded once to its minor unit.
    public var amount: ExactDecimal
    /// What a person reads: `CT, routine — tier 21–50, volume pricing`.
    public var description: String = ""

    public var urgencyText: String { urgency?.rawValue ?? "*" }
}

/// Which document a draft or an issued entry is.
public enum DocumentKind: String, Sendable, CaseIterable {
    case invoice, creditNote = "credit_note", payout, payoutAdjustment = "payout_adjustment"

    /// Number prefix (SPEC §5).
    public var prefix: String {
        switch self {
        case .invoice: return "INV"
        case .creditNote: return "CN"
        case .payout: return "PAY"
        case .payoutAdjustment: return "PAYADJ"
        }
    }

    /// Folder under `Outbox/YYYY-MM/`.
    public var folder: String {
        switch self {
        case .invoice: return "invoices"
        case .creditNote: return "credit-notes"
        case .payout, .payoutAdjustment: return "payouts"
        }
    }

    /// The ledger entry kind that issues it.
    public var entryKind: String { rawValue + ".issued" }

    /// Whether the party is a client (else a radiologist).
    public var isClientSide: Bool { self == .invoice || self == .creditNote }

    public var title: String {
        switch self {
        case .invoice: return "Invoice"
        case .creditNote: return "Credit note"
        case .payout: return "Payout statement"
        case .payoutAdjustment: return "Payout adjustment"
        }
    }
}

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
