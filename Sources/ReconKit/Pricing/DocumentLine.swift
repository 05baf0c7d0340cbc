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
    /// The decimals its unit amount prints with: its own places, at least its currency's minor unit.
    public var unitDigits: Int { max(unitAmount.normalized.scale, unitCurrency.minorDigits) }
}
