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

    /// The series a number counts in, per kind and year of issue (SPEC §5): `INV-2026`.
    public func series(year: Int) -> String { "\(prefix)-\(year)" }

    /// The `sequence`th number of a year's series: `INV-2026-000013`.
    public func number(year: Int, sequence: Int) -> String { "\(series(year: year))-\(Digits.padded(sequence, 6))" }

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
