import Foundation
internal import CXLSXWriter

/// One sheet of a workbook being written: cells, column widths, panes, filters, tables.
///
/// Rows and columns count from 0 (A1 is row 0, column 0). Every call checks its cell
/// against Excel's sheet size and throws `XLSXError` at once, naming the sheet and the
/// cell, instead of leaving libxlsxwriter to warn on standard error.
///
/// Text is always stored as text: `write(text:)` keeps `=SUM(A1)`, `+1`, `-2` and
/// `@cmd` as the characters they are, so nothing taken from a drop can become a formula.
/// Formulas are written only by `write(formula:…)`, from text the product composes.
///
/// Cells take a `style:`. Text, numbers and formulas with a cached value also take a `format:`
/// got once from ``Workbook/format(_:)``, for sheets of thousands of rows in a few styles
/// (see ``CellFormat``); both write the same file.
///
/// Charts, conditional formats and tables are in `Worksheet+Objects.swift`.
public final class Worksheet {
    /// The sheet's name, as shown on its tab.
    public let name: String
    /// The workbook the sheet belongs to; refuses calls once saved.
    let workbook: Workbook
    /// The C worksheet, owned by the C workbook.
    let handle: UnsafeMutablePointer<lxw_worksheet>
    /// Rows written as XML (``writeRows(_:)``), put in place when the workbook is saved.
    var rowBlock: SheetRows?
    /// The heights given to rows by ``setRowHeight(_:row:)``, in points: what a sheet's printed
    /// pages are reckoned from (``PrintedPages``); a row not here has the default 15.
    public private(set) var rowHeights: [Int: Double] = [:]
    /// The columns' widths given by ``setColumnWidth(_:columns:)``, in widths of a digit.
    public private(set) var columnWidths: [Int: Double] = [:]

    /// The last row of a sheet, counted from 0.
    public static let lastRow = 1_048_575
    /// The last column of a sheet, counted from 0 (XFD).
    public static let lastColumn = 16_383

    init(name: String, workbook: Workbook, handle: UnsafeMutablePointer<lxw_worksheet>) {
        self.name = name
        self.workbook = workbook
        self.handle = handle
    }

    // MARK: - Cells

    /// Writes text, always as a string, even when it starts with `=`, `+`, `-` or `@`.
    ///
    /// Empty text leaves the cell blank. At most 32,767 characters.
    /// Wraps `worksheet_write_string`.
    public func write(text: String, row: Int, column: Int, style: CellStyle = .plain) throws {
        let (r, c) = try cell(row, column)
        try write(text: text, r, c, try format(style, row, column))
    }

    /// Writes text in a format got once from ``Workbook/format(_:)``: the same cell as
    /// `write(text:row:column:style:)` with that style, without looking the style up.
    public func write(text: String, row: Int, column: Int, format: CellFormat) throws {
        let (r, c) = try cell(row, column)
        try write(text: text, r, c, try pointer(format, row, column))
    }

    /// Writes a number. Amounts enter here as the nearest `Double`, which is what a
    /// spreadsheet cell holds; the exact amount stays in the ledger.
    ///
    /// Throws for NaN and infinities, which Excel cannot store.
    /// Wraps `worksheet_write_number`.
    public func write(number: Double, row: Int, column: Int, style: CellStyle = .plain) throws {
        let (r, c) = try cell(row, column)
        try requireFinite(number, row, column)
        try write(number: number, r, c, try format(style, row, column))
    }

    /// Writes a number in a format got once from ``Workbook/format(_:)``: the same cell as
    /// `write(number:row:column:style:)` with that style, without looking the style up.
    public func write(number: Double, row: Int, column: Int, format: CellFormat) throws {
        let (r, c) = try cell(row, column)
        try requireFinite(number, row, column)
        try write(number: number, r, c, try pointer(format, row, column))
    }

    /// Writes a formula together with the value it computes, so that readers which do
    /// not recalculate (previews, converters, `unzip`) still show the total.
    ///
    /// `formula` may start with `=`; it must be composed by the product, never copied
    /// from a drop. Wraps `worksheet_write_formula_num`.
    public func write(
        formula: String, cachedValue: Double, row: Int, column: Int, style: CellStyle = .plain
    ) throws {
        let (r, c) = try cell(row, column)
        try requireFinite(cachedValue, row, column)
        try write(formula: formula, cachedValue: cachedValue, r, c, try format(style, row, column))
    }

    /// Writes a formula and its value in a format got once from ``Workbook/format(_:)``: the
    /// same cell as `write(formula:cachedValue:row:column:style:)` with that style.
    public func write(formula: String, cachedValue: Double, row: Int, column: Int, format: CellFormat) throws {
        let (r, c) = try cell(row, column)
        try requireFinite(cachedValue, row, column)
        try write(formula: formula, cachedValue: cachedValue, r, c, try pointer(format, row, column))
    }

    /// Writes a formula whose result is text, together with that text.
    ///
    /// Wraps `worksheet_write_formula_str`.
    public func write(
        formula: String, cachedText: String, row: Int, column: Int, style: CellStyle = .plain
    ) throws {
        let (r, c) = try cell(row, column)
        let format = try format(style, row, column)
        let result = formula.withCString { formula in
            cachedText.withCString { worksheet_write_formula_str(handle, r, c, formula, format, $0) }
        }
        try check(result, "worksheet_write_formula_str", row, column)
    }

    /// Writes a point in time as an Excel date serial (UTC), shown with `style`.
    ///
    /// Wraps `worksheet_write_unixtime`.
    public func write(date: Date, row: Int, column: Int, style: CellStyle = .date) throws {
        let (r, c) = try cell(row, column)
        let seconds = date.timeIntervalSince1970.rounded(.down)
        try requireFinite(seconds, row, column)
        let format = try format(style, row, column)
        let result = worksheet_write_unixtime(handle, r, c, Int64(seconds), format)
        try check(result, "worksheet_write_unixtime", row, column)
    }

    /// Gives an empty cell a style (a border or fill); does nothing for `.plain`.
    ///
    /// Wraps `worksheet_write_blank`.
    public func writeBlank(row: Int, column: Int, style: CellStyle) throws {
        let (r, c) = try cell(row, column)
        let format = try format(style, row, column)
        try check(worksheet_write_blank(handle, r, c, format), "worksheet_write_blank", row, column)
    }

    /// Merges a range into one cell holding `text`, e.g. a title across the columns.
    ///
    /// The range must span more than one cell. Wraps `worksheet_merge_range`.
    public func merge(_ range: CellRange, text: String, style: CellStyle = .plain) throws {
        let (r1, c1, r2, c2) = try cells(range)
        guard range.rowCount > 1 || range.columnCount > 1 else {
            throw XLSXError(
                code: .invalidCell, path: workbook.path, location: place(range),
                message: "a merged range must span more than one cell",
                remedy: "write a single cell with write(text:) instead")
        }
        let format = try workbook.format(for: style)
        let written = literal(text)
        // libxlsxwriter writes the merged range's text with worksheet_write_string and drops its
        // error: a text longer than a cell holds left the range blank, and the workbook was
        // written all the same. Refused here, as write(text:) refuses it.
        if written.unicodeScalars.count > 32_767 {
            try check(LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED, "worksheet_merge_range", at: place(range))
        }
        let result = written.withCString { worksheet_merge_range(handle, r1, c1, r2, c2, $0, format) }
        try check(result, "worksheet_merge_range", at: place(range))
    }

    // MARK: - Layout

    /// Sets the width of columns, in characters of the default font (Excel's unit),
    /// and optionally a style for their empty cells.
    ///
    /// Wraps `worksheet_set_column`.
    public func setColumnWidth(_ width: Double, columns: ClosedRange<Int>, style: CellStyle = .plain) throws {
        let range = CellRange(row: 0, columns: columns)
        let (_, c1, _, c2) = try cells(range)
        guard width.isFinite, (0...255).contains(width) else {
            throw XLSXError(
                code: .invalidValue, path: workbook.path, location: "sheet \"\(name)\" columns \(range)",
                message: "column width \(width)", remedy: "use a width of 0–255 characters")
        }
        let format = try workbook.format(for: style)
        try check(worksheet_set_column(handle, c1, c2, width, format), "worksheet_set_column", at: place(range))
        for c in columns { columnWidths[c] = width }
    }

    /// Sets the height of one row in points (the default is 15).
    ///
    /// Wraps `worksheet_set_row`.
    public func setRowHeight(_ height: Double, row: Int) throws {
        let (r, _) = try cell(row, 0)
        guard height.isFinite, (0...409).contains(height) else {
            throw XLSXError(
                code: .invalidValue, path: workbook.path, location: "sheet \"\(name)\" row \(row + 1)",
                message: "row height \(height)", remedy: "use a height of 0–409 points")
        }
        try check(worksheet_set_row(handle, r, height, nil), "worksheet_set_row", row, 0)
        rowHeights[row] = height
    }

    /// Makes `row` tall enough for `text` wrapped at `charactersPerLine` (15 points a line):
    /// libxlsxwriter does not size a row to the wrapped text in it, so its lines would spill
    /// over the rows below.
    public func fitRowHeight(_ row: Int, toWrap text: String, charactersPerLine: Int, printedWidths: Bool = false) throws {
        try fitRowHeight(row, toWrap: [(text, charactersPerLine)], printedWidths: printedWidths)
    }

    /// Writes `text` in `style`, or, longer than `oneLine` characters, wrapped on a row made tall
    /// enough for it: the cell beside it would otherwise cut it short. `charactersPerLine` is what
    /// its column holds on one printed line; `oneLine`, what it shows unwrapped (more, when it
    /// may run on into an empty cell beside it), `charactersPerLine` when not given.
    /// `printedWidths`: measure the text as it prints (``TextWidth``: wide characters twice, lines
    /// broken between words) rather than by its count of characters, which documents printed
    /// before kept.
    public func write(text: String, row: Int, column: Int, style: CellStyle = .plain, wrappingBeyond charactersPerLine: Int,
                      oneLine: Int? = nil, printedWidths: Bool = false) throws {
        let length = printedWidths ? TextWidth.of(text) : text.count
        guard length > (oneLine ?? charactersPerLine) else { return try write(text: text, row: row, column: column, style: style) }
        try write(text: text, row: row, column: column, style: style.with { $0.wrapsText = true })
        try fitRowHeight(row, toWrap: [(text, charactersPerLine)], printedWidths: printedWidths)
    }

    /// Makes `row` tall enough for the tallest of several texts wrapped side by side, each in
    /// cells of its own width (a seller's block beside a client's); `printedWidths` as above.
    public func fitRowHeight(_ row: Int, toWrap texts: [(text: String, charactersPerLine: Int)], printedWidths: Bool = false) throws {
        let lines = texts.map { t in
            printedWidths ? TextWidth.lines(t.text, perLine: t.charactersPerLine) : (t.text.count + t.charactersPerLine - 1) / t.charactersPerLine
        }.max() ?? 1
        try setRowHeight(min(15 * Double(max(lines, 1)), 409), row: row)
    }

    /// Keeps the rows above `row` and the columns left of `column` in view when scrolling;
    /// `freezePanes(row: 1, column: 0)` keeps a header row.
    ///
    /// Wraps `worksheet_freeze_panes`.
    public func freezePanes(row: Int, column: Int) throws {
        let (r, c) = try cell(row, column)
        worksheet_freeze_panes(handle, r, c)
    }

    /// Prints the sheet one page wide (as many pages tall as needed), optionally in
    /// landscape, so a printed invoice keeps its amount column.
    ///
    /// Wraps `worksheet_fit_to_pages` and `worksheet_set_landscape`.
    public func fitToPageWidth(landscape: Bool = false) throws {
        _ = try workbook.requireOpen()
        worksheet_fit_to_pages(handle, 1, 0)
        if landscape { worksheet_set_landscape(handle) } else { worksheet_set_portrait(handle) }
    }

    /// Sets up printing: `paper`, fitted to one page wide (as many tall as needed), portrait
    /// or landscape, `repeatRows` printed atop every page, and `Page N of M` in the footer,
    /// after the workbook's ``Workbook/footerTitle`` when it has one.
    ///
    /// Wraps `worksheet_set_paper`, `worksheet_fit_to_pages`, `worksheet_set_landscape` /
    /// `worksheet_set_portrait`, `worksheet_repeat_rows` and `worksheet_set_footer`.
    public func setUpPrinting(paper: PaperSize, landscape: Bool = false, repeatRows: ClosedRange<Int>? = nil) throws {
        _ = try workbook.requireOpen()
        worksheet_set_paper(handle, paper.excelIndex)
        worksheet_fit_to_pages(handle, 1, 0)
        if landscape { worksheet_set_landscape(handle) } else { worksheet_set_portrait(handle) }
        // Footers are text of the same XML type as cells: a code in a client id is escaped as there.
        let title = workbook.footerTitle.map(literal)
        try check(worksheet_set_footer(handle, Self.footer(title: title)), "worksheet_set_footer", at: "sheet \"\(name)\"")
        if let rows = repeatRows {
            let (first, _) = try cell(rows.lowerBound, 0)
            let (last, _) = try cell(rows.upperBound, 0)
            try check(worksheet_repeat_rows(handle, first, last), "worksheet_repeat_rows", at: "sheet \"\(name)\"")
        }
    }

    /// The footer's text: the title on the left (`&` doubled, as the codes need; cut so the
    /// whole stays within Excel's 255 characters) and `Page N of M` in the centre.
    static func footer(title: String?) -> String {
        let page = "&CPage &P of &N"
        guard let title, !title.isEmpty else { return page }
        var left = ""
        for c in title where !c.isNewline {
            let piece = c == "&" ? "&&" : String(c)
            if (left + piece).utf8.count > 200 { break }
            left += piece
        }
        return "&L" + left + page
    }

    /// Starts a printed page at each of `rows` (counted from 0), as a reader would break the
    /// pages by hand. A sheet fitted to one page's width and any number of pages tall keeps them.
    ///
    /// Wraps `worksheet_set_h_pagebreaks`.
    public func setRowBreaks(before rows: [Int]) throws {
        guard !rows.isEmpty else { return }
        var breaks = try rows.sorted().map { row -> lxw_row_t in
            guard row > 0 else { throw XLSXError(code: .invalidValue, path: workbook.path, location: "sheet \"\(name)\"",
                                                 message: "a page break before row 1", remedy: "break before a later row") }
            return try cell(row, 0).0
        }
        breaks.append(0)
        try check(worksheet_set_h_pagebreaks(handle, &breaks), "worksheet_set_h_pagebreaks", at: "sheet \"\(name)\"")
    }

    /// The paper its workbook prints on.
    public var paper: PaperSize { workbook.paper }

    /// Adds filter buttons to the first row of `range`, which must hold the headers.
    ///
    /// A sheet has at most one autofilter, and a table brings its own: do not add one
    /// over a table. Wraps `worksheet_autofilter`.
    public func autofilter(_ range: CellRange) throws {
        let (r1, c1, r2, c2) = try cells(range)
        try check(worksheet_autofilter(handle, r1, c1, r2, c2), "worksheet_autofilter", at: place(range))
    }

    // MARK: - Checked cells

    // The calls both kinds of `write` share, once the cell is on the sheet and its format known.

    private func write(text: String, _ r: lxw_row_t, _ c: lxw_col_t, _ format: UnsafeMutablePointer<lxw_format>?) throws {
        let result = literal(text).withCString { worksheet_write_string(handle, r, c, $0, format) }
        try check(result, "worksheet_write_string", Int(r), Int(c))
    }

    /// `text` as libxlsxwriter must be given it to show as typed (``Workbook/keepsCharacterCodesLiteral``).
    private func literal(_ text: String) -> String {
        workbook.keepsCharacterCodesLiteral ? XMLText.literalCharacterCodes(text) : text
    }

    private func write(number: Double, _ r: lxw_row_t, _ c: lxw_col_t, _ format: UnsafeMutablePointer<lxw_format>?) throws {
        try check(worksheet_write_number(handle, r, c, number, format), "worksheet_write_number", Int(r), Int(c))
    }

    private func write(
        formula: String, cachedValue: Double, _ r: lxw_row_t, _ c: lxw_col_t, _ format: UnsafeMutablePointer<lxw_format>?
    ) throws {
        let result = formula.withCString { worksheet_write_formula_num(handle, r, c, $0, format, cachedValue) }
        try check(result, "worksheet_write_formula_num", Int(r), Int(c))
    }

    // MARK: - Checks

    /// The rule for sheet names, quoted in errors.
    static let nameRule =
        "a sheet name has 1–31 characters, none of [ ] : * ? / \\, no apostrophe at either end, and is not History"

    /// What is wrong with a sheet name, or `nil` if Excel accepts it.
    static func problem(withName name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.utf16.count > 31 { return "the name has \(name.utf16.count) characters, more than 31" }
        if let bad = name.unicodeScalars.first(where: { "[]:*?/\\".unicodeScalars.contains($0) }) {
            return "the name contains \"\(bad)\""
        }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the name contains a control character"
        }
        if name.hasPrefix("'") || name.hasSuffix("'") { return "the name starts or ends with an apostrophe" }
        if name.lowercased() == "history" { return "Excel reserves the name History" }
        return nil
    }

    /// The C row and column for a cell, after checking it lies on the sheet and the
    /// workbook is still open.
    func cell(_ row: Int, _ column: Int) throws -> (lxw_row_t, lxw_col_t) {
        _ = try workbook.requireOpen()
        try Self.requireOnSheet(row, column, sheet: name, path: workbook.path)
        return (lxw_row_t(row), lxw_col_t(column))
    }

    /// Throws when a cell lies outside a sheet (``write(text:row:column:style:)`` and the rows
    /// written as XML, ``SheetRows``, check alike).
    static func requireOnSheet(_ row: Int, _ column: Int, sheet: String, path: String) throws {
        guard (0...lastRow).contains(row), (0...lastColumn).contains(column) else {
            throw XLSXError(
                code: .invalidCell, path: path,
                location: "sheet \"\(sheet)\" row \(row) column \(column)",
                message: "the cell lies outside the sheet",
                remedy: "a sheet has rows 0–1,048,575 and columns 0–16,383")
        }
    }

    /// The C corners of a range, after checking both lie on the sheet in order.
    func cells(_ range: CellRange) throws -> (lxw_row_t, lxw_col_t, lxw_row_t, lxw_col_t) {
        let (r1, c1) = try cell(range.firstRow, range.firstColumn)
        let (r2, c2) = try cell(range.lastRow, range.lastColumn)
        guard r1 <= r2, c1 <= c2 else {
            throw XLSXError(
                code: .invalidCell, path: workbook.path, location: place(range),
                message: "the range's first corner is below or right of its last",
                remedy: "give the top-left cell first")
        }
        return (r1, c1, r2, c2)
    }

    /// `sheet "Lines" range A1:K20`, for error messages.
    func place(_ range: CellRange) -> String {
        "sheet \"\(name)\" range \(range)"
    }

    /// The format for a cell's style; a style error names the cell.
    private func format(_ style: CellStyle, _ row: Int, _ column: Int) throws -> UnsafeMutablePointer<lxw_format>? {
        do {
            return try workbook.format(for: style)
        } catch let error as XLSXError where error.code == .invalidStyle {
            throw located(error, row, column)
        }
    }

    /// The C format of a ``CellFormat``; one from another workbook is refused, naming the cell.
    private func pointer(_ format: CellFormat, _ row: Int, _ column: Int) throws -> UnsafeMutablePointer<lxw_format>? {
        do {
            return try workbook.pointer(of: format)
        } catch let error as XLSXError where error.code == .invalidStyle {
            throw located(error, row, column)
        }
    }

    /// A style error moved to the cell that used the style.
    private func located(_ error: XLSXError, _ row: Int, _ column: Int) -> XLSXError {
        XLSXError(
            code: error.code, path: error.path,
            location: "sheet \"\(name)\" cell \(CellRange.a1(row: row, column: column))",
            message: error.message, remedy: error.remedy)
    }

    /// Throws for values a cell cannot hold.
    private func requireFinite(_ value: Double, _ row: Int, _ column: Int) throws {
        try Self.requireFinite(value, row, column, sheet: name, path: workbook.path)
    }

    /// Throws for values a cell cannot hold, naming the cell (shared with ``SheetRows``).
    static func requireFinite(_ value: Double, _ row: Int, _ column: Int, sheet: String, path: String) throws {
        guard value.isFinite else {
            throw XLSXError(
                code: .invalidValue, path: path,
                location: "sheet \"\(sheet)\" cell \(CellRange.a1(row: row, column: column))",
                message: "\(value) is not a finite number", remedy: "Excel stores only finite numbers")
        }
    }

    /// Throws the libxlsxwriter error for a cell, if any.
    private func check(_ result: lxw_error, _ function: String, _ row: Int, _ column: Int) throws {
        guard result != LXW_NO_ERROR else { return }
        try check(result, function, at: "sheet \"\(name)\" cell \(CellRange.a1(row: row, column: column))")
    }

    /// Throws the libxlsxwriter error for a place on the sheet, if any.
    func check(_ result: lxw_error, _ function: String, at location: String) throws {
        if let error = XLSXError.check(result, function, path: workbook.path, location: location) {
            throw error
        }
    }
}
