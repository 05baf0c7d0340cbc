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
    /// some 7 MB: never moved whole to a larger array as it grows), and rows packed already.
    private(set) var pieces: [RawDeflate.Piece] = []
    /// The piece being written, its last row still open while `rowOpen`.
    private var xml: [UInt8] = []
    private var rowOpen = false
    private static let pieceSize = 1 << 20
    /// The first and last rows written, counted from 0.
    private(set) var rows: ClosedRange<Int>?
    /// The first and last columns written on any row.
    private(set) var firstColumn = Int.max
    private(set) var lastColumn = 0
    /// The rows and columns written since the block was last packed (``pack()``).
    private var unpacked: (rows: ClosedRange<Int>, columns: ClosedRange<Int>)?
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

    /// The rows written since the block was last packed, deflated, to keep for a later
    /// workbook (``append(_:)``); nil when there are none. They stay in this block too, and
    /// the next cell goes on a later row.
    public mutating func pack() -> PackedRows? {
        closePiece()
        guard let unpacked else { return nil }
        let first = pieces.lastIndex { if case .packed = $0 { true } else { false } }.map { $0 + 1 } ?? 0
        let (bytes, crc, size) = RawDeflate.deflate(Array(pieces[first...]), final: false)
        let packed = PackedRows(deflated: bytes, crc: crc, size: size, rows: unpacked.rows, columns: unpacked.columns)
        pieces.replaceSubrange(first..., with: [.packed(packed)])
        self.unpacked = nil
        return packed
    }

    /// Rows packed from an earlier block (``pack()``), put after the rows written so far.
    /// They must be rows of a sheet of the same layout, written by the same program with
    /// formats made in the same order (their cells carry the workbook's style indices): the
    /// caller keeps them with what they were made from. The next cell goes on a later row.
    public mutating func append(_ packed: PackedRows) throws {
        guard packed.rows.lowerBound > last.row else {
            throw XLSXError(code: .invalidCell, path: path, location: place(packed.rows.lowerBound, packed.columns.lowerBound),
                            message: "packed rows \(packed.rows.lowerBound + 1)–\(packed.rows.upperBound + 1) come before a row already written",
                            remedy: "append packed rows before writing the rows below them")
        }
        try Worksheet.requireOnSheet(packed.rows.upperBound, packed.columns.upperBound, sheet: sheet, path: path)
        closePiece()
        pieces.append(.packed(packed))
        rows = (rows?.lowerBound ?? packed.rows.lowerBound)...packed.rows.upperBound
        firstColumn = min(firstColumn, packed.columns.lowerBound)
        lastColumn = max(lastColumn, packed.columns.upperBound)
        last = (packed.rows.upperBound, Int.max)
    }

    /// Closes the last row: the block's XML is then whole. Called once, after the last cell.
    mutating func finish() {
        closePiece()
        last = (Int.max, Int.max)  // nothing more goes in
    }

    /// Closes the open row and ends the piece being written.
    private mutating func closePiece() {
        if rowOpen { xml += Self.rowClose }
        rowOpen = false
        if !xml.isEmpty { pieces.append(.xml(xml[...])) }
        xml = []
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
            // A new piece starts between rows, once this one is nearly full.
            if xml.count > Self.pieceSize - Self.pieceSize / 16 { closePiece() }
            if rowOpen { xml += Self.rowClose }
            if xml.isEmpty { xml.reserveCapacity(Self.pieceSize) }
            xml += Self.rowOpen
            XMLText.digits(row + 1, into: &xml)
            xml += Self.tagEnd
            rowOpen = true
            rows = (rows?.lowerBound ?? row)...row
        }
        last = (row, column)
        firstColumn = min(firstColumn, column)
        lastColumn = max(lastColumn, column)
        unpacked = ((unpacked?.rows.lowerBound ?? row)...row,
                    min(unpacked?.columns.lowerBound ?? column, column)...max(unpacked?.columns.upperBound ?? column, column))
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
