import XLSX

/// Where the margin summary's closed periods' `Detail` rows are kept between commands
/// (``MarginDetailCache``): after a year they are twelve thousand rows, the same on every
/// drop until a period closes, is rerun or credited, built and deflated once.
public protocol KeptDetailRows {
    /// The rows kept under `key` (``MarginSummaryWorkbook/detailKey(_:formats:book:)``), or nil.
    func rows(for key: String) -> PackedRows?
    /// Keeps `rows` under `key`; a failure only costs the next command the time to build them.
    func keep(_ rows: PackedRows, for key: String)
}
