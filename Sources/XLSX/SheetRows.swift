import Foundation

/// A block of a sheet's rows written straight as the sheet's XML, for tables of many
/// thousands of rows: libxlsxwriter formats every cell with `printf` and deflates the
/// part at zlib's level 6, which it does not let a caller change; a block is built here
/// in one pass and deflated at level 1 (``ZipPartRewrite``). The rest of the sheet (its
/// header row, table, widths, panes, printing) is still libxlsxwriter's, and the block is
/// put in between its rows when the workbook is saved (``RowBlockSplice``).
///
/// Cells are written as ``Worksheet`` writes them, with the same formats: text is always
/// text (an inline string, never a formula), numbers and formulas keep their values. Rows
/// and, within a row, columns go in increasing order; nothing else of the sheet may be
/// written in the block's rows.
public struct SheetRows: CellSink {
    /// The sheet, for errors.
    let sheet: String
    /// The workbook's path, for errors.
    let path: String
    /// The style index of a format (nil: the default, written without one).
    private let styleIndex: (CellFormat) throws -> Int?
    /// The XML of the rows so far, in pieces of about a megabyte (a year's margin summary is
    /// some 7 MB: never moved whole to a larger array as it grows), the last row still open.
    private(set) var pieces: [[UInt8]] = []
    /// The piece being written.
    private var xml: [UInt8] = []
    private static let pieceSize = 1 << 20
    /// The first and last rows written, counted from 0.
    private(set) var rows: ClosedRange<Int>?
    /// The first and last columns written on any row.
    private(set) var firstColumn = Int.max
    private(set) var lastColumn = 0
    /// The cell last written, so the next comes after it.
    private var last: (row: Int, column: Int) = (-1, -1)
    /// Style indices already looked up, by format.
    private var styles: [(format: CellFormat, index: Int?)] = []

    init(sheet: String, path: String, styleIndex: @escaping (CellFormat) throws -> Int?) {
        self.sheet = sheet
        self.path = path
        self.styleIndex = styleIndex
    }

    /// Text, always as a string. Empty text leaves the cell blank, as libxlsxwriter does.
    public mutating func write(text: String, row: Int, column: Int, format: CellFormat) throws {
        if text.isEmpty { return }
        // A UTF-16 count is never above the UTF-8 one: counted only for long text.
        guard text.utf8.count <= 32_767 || text.utf16.count <= 32_767 else {
            throw XLSXError(code: .invalidValue, path: path, location: place(row, column),
                            message: "the text has \(text.utf16.count) characters, more than a cell holds",
                            remedy: "a cell holds at most 32,767 characters")
        }
        try open(row, column, format, type: Self.inlineString)
        XMLText.escape(text, into: &xml, opening: Self.textOpen, preserving: Self.textPreserved)
        xml += Self.textClose
    }

    /// A number; NaN and infinities are refused, as Excel cannot store them.
    public mutating func write(number: Double, row: Int, column: Int, format: CellFormat) throws {
        try requireFinite(number, row, column)
        try open(row, column, format, type: nil)
        xml += Self.valueOpen
        XMLText.number(number, into: &xml)
        xml += Self.valueClose
    }

    /// A formula the product composed (never text from a drop), with the value it computes.
    public mutating func write(formula: String, cachedValue: Double, row: Int, column: Int, format: CellFormat) throws {
        try requireFinite(cachedValue, row, column)
        try open(row, column, format, type: nil)
        xml += Self.formulaOpen
        XMLText.escape(formula, into: &xml, from: formula.utf8.first == UInt8(ascii: "=") ? 1 : 0)
        xml += Self.formulaClose
        XMLText.number(cachedValue, into: &xml)
        xml += Self.valueClose
    }

    /// Closes the last row: the block's XML is then whole. Called once, after the last cell.
    mutating func finish() {
        if rows != nil { xml += Self.rowClose }
        if !xml.isEmpty { pieces.append(xml) }
        xml = []
        last = (Int.max, Int.max)  // nothing more goes in
    }

    // MARK: - Cells

    /// Starts a cell (and its row, closing the one before): `<c r="B7" s="3" t="…">`.
    private mutating func open(_ row: Int, _ column: Int, _ format: CellFormat, type: [UInt8]?) throws {
        try Worksheet.requireOnSheet(row, column, sheet: sheet, path: path)
        guard row > last.row || (row == last.row && column > last.column) else {
            throw XLSXError(code: .invalidCell, path: path, location: place(row, column),
                            message: "a block's cells go row by row, left to right, each once",
                            remedy: "write the rows in increasing order, and each row's cells from left to right")
        }
        if row != last.row {
            if rows != nil { xml += Self.rowClose }
            // A new piece starts between rows, once this one is nearly full.
            if xml.count > Self.pieceSize - Self.pieceSize / 16 {
                pieces.append(xml)
                xml = []
            }
            if xml.isEmpty { xml.reserveCapacity(Self.pieceSize) }
            xml += Self.rowOpen
            XMLText.digits(row + 1, into: &xml)
            xml += Self.tagEnd
            rows = (rows?.lowerBound ?? row)...row
        }
        last = (row, column)
        firstColumn = min(firstColumn, column)
        lastColumn = max(lastColumn, column)
        xml += Self.cellOpen
        CellRange.letters(of: column, into: &xml)
        XMLText.digits(row + 1, into: &xml)
        xml.append(UInt8(ascii: "\""))
        if let style = try style(of: format) {
            xml += Self.styleAttribute
            XMLText.digits(style, into: &xml)
            xml.append(UInt8(ascii: "\""))
        }
        if let type {
            xml += Self.typeAttribute
            xml += type
            xml.append(UInt8(ascii: "\""))
        }
        xml.append(UInt8(ascii: ">"))
    }

    private mutating func style(of format: CellFormat) throws -> Int? {
        if let known = styles.first(where: { $0.format.pointer == format.pointer && $0.format.owner == format.owner }) {
            return known.index
        }
        let index = try styleIndex(format)
        styles.append((format, index))
        return index
    }

    private func requireFinite(_ value: Double, _ row: Int, _ column: Int) throws {
        try Worksheet.requireFinite(value, row, column, sheet: sheet, path: path)
    }

    private func place(_ row: Int, _ column: Int) -> String {
        "sheet \"\(sheet)\" cell \(CellRange.a1(row: row, column: column))"
    }

    private static let rowOpen = Array("<row r=\"".utf8), tagEnd = Array("\">".utf8), rowClose = Array("</row>".utf8)
    private static let cellOpen = Array("<c r=\"".utf8), styleAttribute = Array(" s=\"".utf8), typeAttribute = Array(" t=\"".utf8)
    private static let textOpen = Array("<is><t>".utf8), textPreserved = Array("<is><t xml:space=\"preserve\">".utf8)
    private static let inlineString = Array("inlineStr".utf8)
    private static let textClose = Array("</t></is></c>".utf8)
    private static let valueOpen = Array("<v>".utf8), valueClose = Array("</v></c>".utf8)
    private static let formulaOpen = Array("<f>".utf8), formulaClose = Array("</f><v>".utf8)
}
