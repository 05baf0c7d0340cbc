/// A period priced: its documents, problems and margins (a draft or what a close issues).
public struct PeriodBook: Sendable {
    public var period: Period
    /// The date FX rates are read on: the period's last day, or today for a running draft.
    public var fxDate: LocalDate
    public var invoices: [DocumentDraft] = []
    public var payouts: [DocumentDraft] = []
    public var problems: [PricingProblem] = []
    public var margins: [ClientMargin] = []
    /// Clients whose margin is left out (a missing FX rate to base, reports not yet priced).
    public var marginGaps: [MarginGap] = []
    public var billableReports = 0
    /// Positions (in the site's reports) of billable reports above their client's images per
    /// case, and of excluded reports: where the hard gate looks.
    public var overContractIndices: [Int32] = []
    public var excludedIndices: [Int32] = []
    /// Billable reports and their images per client and per radiologist (the auditor's counts).
    public var clientCounts: [String: (reports: Int, images: Int)] = [:]
    public var radiologistCounts: [String: (reports: Int, images: Int)] = [:]
    public var excludedReports = 0

    public init(period: Period, fxDate: LocalDate) {
        self.period = period
        self.fxDate = fxDate
    }
}
