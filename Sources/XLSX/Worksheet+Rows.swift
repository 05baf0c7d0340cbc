extension Worksheet {
    /// Writes a block of rows as the sheet's XML (``SheetRows``): for tables of many thousands
    /// of rows, which libxlsxwriter would format cell by cell and deflate at its slowest level.
    /// The block's rows hold only what `build` writes; the sheet's other cells (a header row,
    /// a total below) go through the usual calls, outside those rows. One block a sheet.
    ///
    /// ```swift
    /// try sheet.writeRows { rows in
    ///     for (i, amount) in amounts.enumerated() {
    ///         try rows.write(number: amount, row: i + 1, column: 3, format: money)
    ///     }
    /// }
    /// ```
    public func writeRows(_ build: (inout SheetRows) throws -> Void) throws {
        _ = try workbook.requireOpen()
        guard rowBlock == nil else {
            throw XLSXError(code: .invalidCell, path: workbook.path, location: "sheet \"\(name)\"",
                            message: "the sheet already has a block of rows written as XML",
                            remedy: "write all of a sheet's block in one writeRows call")
        }
        var rows = SheetRows(sheet: name, path: workbook.path) { [workbook] in try workbook.styleIndex(of: $0) }
        try build(&rows)
        rows.finish()
        rowBlock = rows
    }
}
