extension MarginSummaryWorkbook {
    /// One line of `Detail`: a period's figures for a client and modality, `closed` as the
    /// ledger recorded them at the close or `draft` as priced now.
    ///
    /// A struct, not a tuple: the summary copies its twelve thousand rows a year several times
    /// on every drop, and a tuple holding strings was copied through the runtime's generic
    /// witnesses (a perf profile of a drop after a year: a tenth of the summary's samples).
    public struct Row: Sendable, Equatable {
        public var period: Period
        /// `closed` or `draft`.
        public var status: String
        public var row: MarginRow

        public init(_ period: Period, _ status: String, _ row: MarginRow) {
            self.period = period
            self.status = status
            self.row = row
        }
    }
}
