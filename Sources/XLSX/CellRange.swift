/// A rectangle of cells on one sheet, by zero-based row and column.
///
/// Its description is Excel's A1 notation (`B2:D10`, or `C4` for one cell), ready to
/// put in a formula: `"=SUM(\(CellRange(column: 9, rows: 1...20)))"` is `=SUM(J2:J21)`.
/// Ranges are checked against the sheet's size when a worksheet uses them.
public struct CellRange: Hashable, Sendable, CustomStringConvertible {
    /// The top row, counted from 0.
    public let firstRow: Int
    /// The leftmost column, counted from 0 (A is 0).
    public let firstColumn: Int
    /// The bottom row, inclusive.
    public let lastRow: Int
    /// The rightmost column, inclusive.
    public let lastColumn: Int

    /// The rectangle between two corners, both included.
    public init(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) {
        self.firstRow = firstRow
        self.firstColumn = firstColumn
        self.lastRow = lastRow
        self.lastColumn = lastColumn
    }

    /// Part of one row.
    public init(row: Int, columns: ClosedRange<Int>) {
        self.init(firstRow: row, firstColumn: columns.lowerBound, lastRow: row, lastColumn: columns.upperBound)
    }

    /// Part of one column.
    public init(column: Int, rows: ClosedRange<Int>) {
        self.init(firstRow: rows.lowerBound, firstColumn: column, lastRow: rows.upperBound, lastColumn: column)
    }

    /// How many rows the range spans.
    public var rowCount: Int { lastRow - firstRow + 1 }
    /// How many columns the range spans.
    public var columnCount: Int { lastColumn - firstColumn + 1 }

    /// A1 notation, e.g. `B2:D10`; a single cell is just `B2`.
    public var description: String {
        let first = Self.a1(row: firstRow, column: firstColumn)
        if rowCount == 1, columnCount == 1 { return first }
        return first + ":" + Self.a1(row: lastRow, column: lastColumn)
    }

    /// The A1 name of one cell: row 0, column 0 is `A1`; row 9, column 27 is `AB10`.
    public static func a1(row: Int, column: Int) -> String {
        guard (0...Worksheet.lastRow).contains(row), (0...Worksheet.lastColumn).contains(column) else {
            return columnLetters(column) + String(row + 1)
        }
        // A cell on the sheet is at most 3 letters and 7 digits: built in place, in one go,
        // since sheets name one or more cells a row in their formulas.
        return String(unsafeUninitializedCapacity: 10) { buffer in
            let letters = Self.letters(column, into: buffer)
            var n = row + 1
            var end = letters
            var rest = n
            repeat {
                end += 1
                rest /= 10
            } while rest > 0
            var i = end
            repeat {
                i -= 1
                buffer[i] = UInt8(truncatingIfNeeded: 48 + n % 10)
                n /= 10
            } while n > 0
            return end
        }
    }

    /// Excel's letters for a zero-based column: 0 is `A`, 25 is `Z`, 26 is `AA`.
    public static func columnLetters(_ column: Int) -> String {
        if (0...Worksheet.lastColumn).contains(column) {
            return String(unsafeUninitializedCapacity: 3) { Self.letters(column, into: $0) }
        }
        var scalars: [Unicode.Scalar] = []
        var n = max(column, 0) + 1
        while n > 0 {
            let digit = (n - 1) % 26
            scalars.append(Unicode.Scalar(UInt8(65 + digit)))
            n = (n - 1) / 26
        }
        return String(String.UnicodeScalarView(scalars.reversed()))
    }

    /// Appends the letters of a column on the sheet to `bytes` (a sheet's XML, built in place).
    static func letters(of column: Int, into bytes: inout [UInt8]) {
        var buffer: (UInt8, UInt8, UInt8) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            let letters = raw.bindMemory(to: UInt8.self)
            bytes.append(contentsOf: letters[0..<Self.letters(column, into: letters)])
        }
    }

    /// Writes the 1–3 letters of a column on the sheet at the start of `buffer`; returns how many.
    private static func letters(_ column: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var n = column + 1
        let count = n <= 26 ? 1 : n <= 26 + 26 * 26 ? 2 : 3
        var i = count
        while n > 0 {
            i -= 1
            buffer[i] = UInt8(truncatingIfNeeded: 65 + (n - 1) % 26)
            n = (n - 1) / 26
        }
        return count
    }
}
