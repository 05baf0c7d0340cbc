/// What the auditor's soft gate knows of one party in one period: plain totals, taken
/// from the ledger's history and the period's priced usage.
///
/// The values are scoring features, not money: revenue and cost are the exact amounts
/// converted to `Double` once, for ratios only. Nothing billed is ever computed from them.
public struct PartyPeriodStats: Sendable, Hashable {
    /// Which side of the marketplace the party is on.
    public enum Party: String, Sendable, Hashable, CaseIterable, Comparable {
        /// A hospital, invoiced.
        case client
        /// A provider, paid.
        case radiologist

        /// Clients before radiologists.
        public static func < (lhs: Party, rhs: Party) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }

    /// Client or radiologist.
    public var party: Party
    /// The client_id or radiologist_id.
    public var partyId: String
    /// The period, `YYYY-MM`.
    public var period: String
    /// The account's age: for a client, whole months from `onboarded_on` to the end of
    /// the period; for a radiologist, `seniority_years × 12`.
    public var ageMonths: Int
    /// Reports (cases) in the period.
    public var reports: Int
    /// Images over those reports.
    public var images: Int
    /// The party's revenue in the base currency; 0 for a radiologist.
    public var revenueBase: Double
    /// The payout cost of the party's reports in the base currency.
    public var costBase: Double
    /// The same two as money, for the ledger: exact, rounded once to the base currency's minor
    /// unit (nil for statistics made outside a site, such as the benchmark's).
    public var recordedRevenue: ExactDecimal?
    public var recordedCost: ExactDecimal?
    /// Whether revenue and cost are known: not when an FX rate to the base currency is
    /// missing (the close goes on, SPEC §3 needs no such rate for a document). An unknown
    /// figure is left out of the ledger's record and of the ratios, never read as 0.
    public var revenueKnown = true
    public var costKnown = true
    /// The share of the period's days elapsed when it was counted: 1 for a whole month, less
    /// for a month-to-date draft, whose volume is then compared per elapsed day.
    public var elapsed: Double = 1

    /// Creates the totals of one party in one period.
    public init(
        party: Party, partyId: String, period: String, ageMonths: Int,
        reports: Int, images: Int, revenueBase: Double, costBase: Double
    ) {
        self.party = party
        self.partyId = partyId
        self.period = period
        self.ageMonths = ageMonths
        self.reports = reports
        self.images = images
        self.revenueBase = revenueBase
        self.costBase = costBase
    }
}
