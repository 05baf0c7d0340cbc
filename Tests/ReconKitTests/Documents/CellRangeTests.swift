import Foundation
import Testing

@testable import XLSX

/// A1 names, which formulas are made of: every column of a sheet and its first and last rows,
/// against Excel's rule worked out digit by digit here.
struct CellRangeTests {
    /// Excel's column letters: bijective base 26, A–Z then AA, spelled out the slow way.
    static func letters(_ column: Int) -> String {
        var n = column + 1, text = ""
        while n > 0 {
            text = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + text
            n = (n - 1) / 26
        }
        return text
    }

    @Test func everyColumnOfASheetHasExcelsLetters() {
        var wrong: [String] = []
        for column in 0...Worksheet.lastColumn {
            let want = Self.letters(column)
            if CellRange.columnLetters(column) != want { wrong.append("column \(column): \(CellRange.columnLetters(column))") }
            for row in [0, 8, 9, 99, 999_999, Worksheet.lastRow] where column % 97 == 0 || row == 0 {
                let name = CellRange.a1(row: row, column: column)
                if name != want + String(row + 1) { wrong.append("row \(row) column \(column): \(name)") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
        #expect(CellRange.a1(row: 9, column: 27) == "AB10")
        #expect(CellRange.a1(row: Worksheet.lastRow, column: Worksheet.lastColumn) == "XFD1048576")
        #expect(CellRange(firstRow: 1, firstColumn: 9, lastRow: 20, lastColumn: 9).description == "J2:J21")
    }

    @Test func aCellOffTheSheetStillGetsANameForErrors() {
        #expect(CellRange.a1(row: -1, column: 0) == "A0")
        #expect(CellRange.a1(row: Worksheet.lastRow + 1, column: 0) == "A1048577")
        #expect(CellRange.a1(row: 0, column: Worksheet.lastColumn + 1) == "XFE1")
        #expect(CellRange.columnLetters(-5) == "A")
    }
}
