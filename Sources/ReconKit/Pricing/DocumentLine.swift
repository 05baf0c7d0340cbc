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
    public var entryKind: String { LedgerEvent.Kind(document: self).rawValue }

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
