import Foundation
import Testing

@testable import XLSX

/// Cells written with a `CellFormat` got once are the cells `style:` writes: the same file,
/// byte for byte, so a sheet may take the faster path without changing a document.
struct CellFormatTests {
    static let properties = DocumentProperties(
        title: "Formats", author: "recon", created: Date(timeIntervalSince1970: 1_793_525_400))

    /// The styles of the sample sheet, in the order its cells first use them.
    static let styles: [CellStyle] = [
        .header, .plain, .integer, .currency(code: "EUR", minorDigits: 2), .percent,
        .total(code: "EUR", minorDigits: 2), .bold.with { $0.hasTopBorder = true },
        .currency(code: "JPY", minorDigits: 0).with { $0.fillColor = 0xFFF2CC },
    ]

    /// Headers, then rows of text, numbers and formulas over them, then a total row: each
    /// cell in `styles[i]`, written through `write` (which uses either path).
    static func sample(_ sheet: Worksheet, write: (_ cell: Cell) throws -> Void) throws {
        for (c, h) in ["client", "reports", "revenue", "margin", "margin %", "yen"].enumerated() {
            try write(Cell(row: 0, column: c, styleIndex: 0, content: .text(h)))
        }
        for r in 1...40 {
            let revenue = Double(r) * 12.25, cost = Double(r) * 7.5
            let a1 = { (column: Int) in CellRange.a1(row: r, column: column) }
            try write(Cell(row: r, column: 0, styleIndex: 1, content: .text("C\(r)")))
            try write(Cell(row: r, column: 1, styleIndex: 2, content: .number(Double(r))))
            try write(Cell(row: r, column: 2, styleIndex: 3, content: .number(revenue)))
            try write(Cell(row: r, column: 3, styleIndex: 3,
                           content: .formula("=" + a1(2) + "-" + String(cost), revenue - cost)))
            try write(Cell(row: r, column: 4, styleIndex: 4,
                           content: .formula("=IF(\(a1(2))=0,0,\(a1(3))/\(a1(2)))", (revenue - cost) / revenue)))
            try write(Cell(row: r, column: 5, styleIndex: 7, content: .number(Double(r * 1000))))
        }
        try write(Cell(row: 41, column: 0, styleIndex: 6, content: .text("Total")))
        try write(Cell(row: 41, column: 2, styleIndex: 5, content: .formula("=SUM(C2:C41)", 10_045)))
        try write(Cell(row: 41, column: 3, styleIndex: 5, content: .formula("=SUM(D2:D41)", 3_895)))
        try sheet.setColumnWidth(12, columns: 0...5)
    }

    /// One cell of the sample: where, in which of `styles`, holding what.
    struct Cell {
        enum Content {
            case text(String)
            case number(Double)
            case formula(String, Double)
        }

        let row: Int, column: Int, styleIndex: Int, content: Content
    }

    @Test func formatsGotOnceWriteTheSameBytesAsStyles() throws {
        try withTemporaryFolder { folder in
            let byStyle = folder + "/by-style.xlsx", byFormat = folder + "/by-format.xlsx"
            try Workbook.write(to: byStyle, properties: Self.properties) { book in
                let sheet = try book.addWorksheet(named: "Margins")
                try Self.sample(sheet) { cell in
                    let style = Self.styles[cell.styleIndex]
                    switch cell.content {
                    case .text(let t): try sheet.write(text: t, row: cell.row, column: cell.column, style: style)
                    case .number(let n): try sheet.write(number: n, row: cell.row, column: cell.column, style: style)
                    case .formula(let f, let v):
                        try sheet.write(formula: f, cachedValue: v, row: cell.row, column: cell.column, style: style)
                    }
                }
            }
            try Workbook.write(to: byFormat, properties: Self.properties) { book in
                let sheet = try book.addWorksheet(named: "Margins")
                // Got in reverse, with one never used: a format's place in styles.xml follows the
                // cells, not when it was got.
                _ = try book.format(.currency(code: "KWD", minorDigits: 3))
                let formats = try Self.styles.reversed().map { try book.format($0) }.reversed() as [CellFormat]
                try Self.sample(sheet) { cell in
                    let format = formats[cell.styleIndex]
                    switch cell.content {
                    case .text(let t): try sheet.write(text: t, row: cell.row, column: cell.column, format: format)
                    case .number(let n): try sheet.write(number: n, row: cell.row, column: cell.column, format: format)
                    case .formula(let f, let v):
                        try sheet.write(formula: f, cachedValue: v, row: cell.row, column: cell.column, format: format)
                    }
                }
            }
            let a = try Data(contentsOf: URL(fileURLWithPath: byStyle))
            let b = try Data(contentsOf: URL(fileURLWithPath: byFormat))
            #expect(a.count > 4_000, "the sample workbook is too small to mean anything: \(a.count) bytes")
            #expect(a == b, "the two paths wrote different files (\(a.count) and \(b.count) bytes)")
        }
    }

    @Test func aFormatFromAnotherWorkbookIsRefusedNamingTheCell() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/second.xlsx"
            try Workbook.write(to: folder + "/first.xlsx", properties: Self.properties) { first in
                let money = try first.format(.currency(code: "EUR", minorDigits: 2))
                let error = try #require(throws: XLSXError.self) {
                    try Workbook.write(to: path, properties: Self.properties) { second in
                        try second.addWorksheet(named: "S").write(number: 1, row: 2, column: 1, format: money)
                    }
                }
                #expect(error.code == .invalidStyle)
                #expect(error.description.contains("sheet \"S\" cell B3"), "\(error)")
                #expect(error.description.contains("another workbook"), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aFormatAfterItsWorkbookIsSavedIsRefused() throws {
        try withTemporaryFolder { folder in
            var kept: (Worksheet, CellFormat)?
            try Workbook.write(to: folder + "/book.xlsx", properties: Self.properties) { book in
                kept = (try book.addWorksheet(named: "S"), try book.format(.integer))
            }
            let (sheet, format) = try #require(kept)
            let error = try #require(throws: XLSXError.self) {
                try sheet.write(number: 1, row: 0, column: 0, format: format)
            }
            #expect(error.code == .closedWorkbook)
        }
    }
}
