import XLSX

/// Where the margin summary's closed periods' `Detail` rows are kept between commands
/// (``MarginDetailCache``): after a year they are twelve thousand rows, the same on every
/// drop until a period closes or is rerun, built and deflated once.
public protocol KeptDetailRows {
    /// The closed periods' part kept under `key` (the closing entries', ``MarginSummaryWriter``), or nil.
    func closed(for key: String) -> KeptClosedRows?
    /// Keeps `closed` under `key`; a failure only costs the next command the time to build them.
    func keep(_ closed: KeptClosedRows, for key: String)
}

/// The closed periods' part of the margin summary as an earlier command wrote it: their
/// `Detail` rows deflated, the style indices those rows carry, and what the other two sheets
/// add up from them — so that a drop neither decodes nor adds up twelve thousand rows again.
public struct KeptClosedRows: Sendable, Equatable {
    public var packed: PackedRows
    /// The style index of each format the rows carry (plain, integer, money, percent; -1 for
    /// none), as the workbook that kept them had them: rows are put in only where they match.
    public var styles: [Int]
    /// Each closed period's figures, in order, and each client's over the closed periods, by id.
    public var months: [Sum]
    public var clients: [Sum]

    /// Reports, revenue and cost added up over some rows (a period's, or a client's).
    public struct Sum: Sendable, Equatable {
        /// The period or the client id.
        public var name: String
        public var reports: Int
        public var revenue: ExactDecimal
        public var cost: ExactDecimal
    }
}
