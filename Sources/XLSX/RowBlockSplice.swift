/// Puts a block of rows written as XML (``SheetRows``) into the sheet part libxlsxwriter
/// wrote: between its rows above and below the block, in the order a sheet's rows go, with
/// the sheet's `dimension` widened to cover them.
enum RowBlockSplice {
    /// The part with the block in place, as the pieces it is made of (the part before the
    /// block, the block's pieces, the part after it), so the block's megabytes are never
    /// copied whole into a new part: ``ZipPartRewrite`` deflates the pieces in turn. Throws
    /// when libxlsxwriter wrote a row inside the block (two writers of one row would make a
    /// file Excel repairs), or the part is not a sheet as libxlsxwriter writes one.
    static func insert(_ block: SheetRows, into part: [UInt8], sheet: String, path: String) throws -> [RawDeflate.Piece] {
        guard let rows = block.rows else { return [.xml(part[...])] }
        func unexpected(_ what: String) -> XLSXError {
            XLSXError(code: .library, path: path, location: "sheet \"\(sheet)\"",
                      message: "the rows written as XML could not be put in: \(what)",
                      remedy: "write the sheet's other cells outside the block's rows")
        }
        var xml = part
        let hadCells = part.firstRange(of: Array("<c r=\"".utf8)) != nil
        // Where the block goes: after the last row above it, before the first below it.
        let at: Int
        if let empty = xml.firstRange(of: Array("<sheetData/>".utf8)) {
            xml.replaceSubrange(empty, with: Array("<sheetData></sheetData>".utf8))
            at = empty.lowerBound + "<sheetData>".utf8.count
        } else {
            guard let open = xml.firstRange(of: Array("<sheetData>".utf8)),
                  let close = xml[open.upperBound...].firstRange(of: Array("</sheetData>".utf8)) else {
                throw unexpected("the sheet has no sheetData")
            }
            var insertion = close.lowerBound
            var search = open.upperBound
            while let row = xml[search..<close.lowerBound].firstRange(of: Array("<row r=\"".utf8)) {
                guard let number = number(in: xml, at: row.upperBound) else { throw unexpected("a row without its number") }
                if number - 1 > rows.upperBound {
                    insertion = row.lowerBound
                    break
                }
                if number - 1 >= rows.lowerBound { throw unexpected("row \(number) is written by both") }
                search = row.upperBound
            }
            at = insertion
        }
        // The dimension comes before the rows: widening it moves the place the block goes.
        let before = xml.count
        try widenDimension(&xml, hadCells: hadCells, rows: rows, columns: block.firstColumn...block.lastColumn, unexpected)
        let place = at + xml.count - before
        return [.xml(xml[..<place])] + block.pieces + [.xml(xml[place...])]
    }

    /// The sheet's `<dimension ref="A1:I1"/>` made to cover the block's rows and columns too.
    private static func widenDimension(_ xml: inout [UInt8], hadCells: Bool, rows: ClosedRange<Int>, columns: ClosedRange<Int>,
                                       _ unexpected: (String) -> XLSXError) throws {
        let open = Array("<dimension ref=\"".utf8)
        guard let start = xml.firstRange(of: open), let end = xml[start.upperBound...].firstIndex(of: UInt8(ascii: "\"")) else {
            throw unexpected("the sheet has no dimension")
        }
        let corners = String(decoding: xml[start.upperBound..<end], as: UTF8.self).split(separator: ":").map(String.init)
        guard let first = corners.first.flatMap(cell), let last = corners.last.flatMap(cell) else {
            throw unexpected("its dimension cannot be read")
        }
        // A sheet with no cell says A1: the block is then all there is.
        let range = hadCells
            ? CellRange(firstRow: min(first.row, rows.lowerBound), firstColumn: min(first.column, columns.lowerBound),
                        lastRow: max(last.row, rows.upperBound), lastColumn: max(last.column, columns.upperBound))
            : CellRange(firstRow: rows.lowerBound, firstColumn: columns.lowerBound, lastRow: rows.upperBound, lastColumn: columns.upperBound)
        xml.replaceSubrange(start.upperBound..<end, with: Array(range.description.utf8))
    }

    /// A row's number from its `r="…"` attribute at `at`.
    private static func number(in xml: [UInt8], at: Int) -> Int? {
        var n = 0, i = at
        while i < xml.count, xml[i] >= 48, xml[i] <= 57 {
            n = n * 10 + Int(xml[i] - 48)
            i += 1
        }
        return i > at && i < xml.count && xml[i] == UInt8(ascii: "\"") ? n : nil
    }

    /// Row and column, from 0, of an A1 name.
    private static func cell(_ a1: String) -> (row: Int, column: Int)? {
        let letters = a1.prefix { $0.isLetter }, digits = a1.dropFirst(letters.count)
        guard !letters.isEmpty, let row = Int(digits), row >= 1 else { return nil }
        var column = 0
        for scalar in letters.unicodeScalars {
            guard (65...90).contains(scalar.value) else { return nil }
            column = column * 26 + Int(scalar.value - 64)
        }
        return (row - 1, column - 1)
    }
}
