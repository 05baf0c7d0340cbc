import Foundation
internal import CXLSXWriter

/// A ``CellStyle`` already made into its workbook's format, for writing many cells in it.
///
/// Writing a cell with `style:` looks the style up in the workbook for every cell, which
/// hashes the whole style. A sheet that writes thousands of rows in a few styles gets each
/// one's format once with ``Workbook/format(_:)`` and passes it with `format:` instead; the
/// file is byte for byte the one the `style:` calls write, since both use the same format.
///
/// ```swift
/// let money = try book.format(.currency(code: "EUR", minorDigits: 2))
/// for (i, amount) in amounts.enumerated() {
///     try sheet.write(number: amount, row: i + 1, column: 3, format: money)
/// }
/// ```
///
/// A format belongs to the workbook that made it: a sheet of another workbook refuses it.
public struct CellFormat {
    /// The C format; `nil` for `.plain`, which is written without one.
    let pointer: UnsafeMutablePointer<lxw_format>?
    /// The workbook that owns `pointer`.
    let owner: UUID
}
