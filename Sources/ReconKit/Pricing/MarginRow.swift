/// Revenue, cost and margin of one client and modality in a period, in the base currency.
public struct MarginRow: Sendable, Equatable {
    public var clientId: String
    public var modality: String
    public var reports: Int
    public var revenue: ExactDecimal
    public var cost: ExactDecimal
    /// Revenue − cost; throws ``ArithmeticOverflow`` when that does not fit, never a silent zero.
    public var margin: ExactDecimal { get throws { try revenue - cost } }
}

/// Revenue, cost and margin of one client in a period, in the base currency (SPEC §3).
public struct ClientMargin: Sendable, Equatable {
    public var clientId: String
    public var reports: Int
    /// The invoice subtotal converted to base, rounded once.
    public var revenue: ExactDecimal
    /// The exact payout amounts of the client's reports, summed per currency, converted, rounded once.
    public var cost: ExactDecimal
    /// Revenue − cost; throws ``ArithmeticOverflow`` when that does not fit, never a silent zero.
    public var margin: ExactDecimal { get throws { try revenue - cost } }
    /// Per modality, for the dashboard.
    public var byModality: [MarginRow]
}
