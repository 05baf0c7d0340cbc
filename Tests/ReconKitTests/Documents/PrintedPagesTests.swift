import Foundation
import Testing
import XLSX

@testable import ReconKit

/// A document's first sheet is broken into printed pages by the sheet itself (layout 11 on),
/// so no page's foot cuts its totals, exchange rates, payment lines or ledger lines, and Excel
/// and LibreOffice print the same pages.
@Suite("Documents — printed pages keep their blocks whole")
struct PrintedPagesTests {
    /// An invoice's columns on A4: 46, 9, 19 and 25 widths of a digit are 327 + 68 + 138 + 180 =
    /// 713 pixels, 534.75 points; the printable width, 595.3 − 2 × 50.4 = 494.5 points, fits
    /// them at 92 % (rounded down), so a page holds (841.9 − 2 × 54) / 0.92 = 797.7 points of
    /// the sheet, 782.7 less the 15 points of slack: 52 rows of 15 points.
    static let invoiceColumns = [46.0, 9, 19, 25]

    @Test func aPageHoldsFiftyOneRowsAndABlockThatWouldNotFitStartsTheNext() {
        let pages = PrintedPages(paper: .a4, columnWidths: Self.invoiceColumns, repeated: 5...5) { _ in 15 }
        #expect(abs(pages.pageHeight - 733.9 / 0.92) < 0.01, "\(pages.pageHeight)")
        // Rows 0–51 fill page 1 (780 points); page 2 repeats row 5, then holds 51 rows (52–102).
        #expect(pages.breaks(keeping: [48...50], lastRow: 120) == [52, 103])
        // A block of rows 50–52 would end 12.3 points past page 1's 782.7: it starts page 2.
        #expect(pages.breaks(keeping: [50...52], lastRow: 120) == [50, 101])
        // A block taller than a page (61 rows) breaks where it must.
        #expect(pages.breaks(keeping: [10...70], lastRow: 120) == [52, 103])
        // A sheet that fits one page is not broken.
        #expect(pages.breaks(keeping: [40...45], lastRow: 50).isEmpty)
    }

    /// Letter is 612 × 792 points: 511.2 wide fits the same columns at 95 %, and a page holds
    /// (792 − 108) / 0.95 = 720 points, 705 less the slack: 47 rows of 15.
    @Test func letterPaperHoldsItsOwnRows() {
        let pages = PrintedPages(paper: .letter, columnWidths: Self.invoiceColumns, repeated: nil) { _ in 15 }
        #expect(abs(pages.pageHeight - 720) < 0.01, "\(pages.pageHeight)")
        #expect(pages.breaks(keeping: [], lastRow: 100) == [47, 94])
    }

    /// The fixture invoice with `count` lines, in `layout`: its first sheet as printed.
    func invoice(lines count: Int, layout: Int) throws -> PrintedSheet {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var record = try DocumentRecord(entry: fixture.entry)
        record.lines = Array(repeating: record.lines[0], count: count)
        record.layout = layout
        return try withTemporaryFolder { folder in
            _ = try fixture.regenerated(record, in: folder, as: "invoice.xlsx")
            return try PrintedSheet(folder + "/invoice.xlsx")
        }
    }

    /// For every length from one page to three, no page break falls inside the totals (subtotal
    /// to total due), the payment lines or the ledger lines, and no page holds more than the
    /// 797.7 points Excel prints on one (the title's row taken at the 24 points its font makes).
    /// An invoice of 41 lines printed its total due alone on page 2 before (LibreOffice).
    @Test func noPageBreakCutsAnInvoicesBlocks() throws {
        var broken = 0
        for count in stride(from: 20, through: 120, by: 5) {
            let sheet = try invoice(lines: count, layout: 11)
            func row(_ text: String) throws -> Int { PrintedSheet.row(try #require(sheet.reference(of: text), "\(text)")) }
            func row(prefix: String) throws -> Int {
                PrintedSheet.row(try #require(sheet.cells.first { $0.value.text?.hasPrefix(prefix) == true }?.key, "\(prefix)"))
            }
            let blocks = [try row("Subtotal")...row("Total due (INR)"), try row("Payment")...row(prefix: "State Bank of India"),
                          try row(prefix: "Issued under ledger seq")...row(prefix: "Ledger head")]
            // A break after row b starts a page at b + 1: inside a block when b + 1 is in it and b too.
            for b in sheet.rowBreaks {
                #expect(!blocks.contains { $0.contains(b) && $0.contains(b + 1) }, "\(count) lines: a break after row \(b) cuts \(blocks)")
            }
            let last = try row(prefix: "Ledger head")
            let starts = [1] + sheet.rowBreaks.map { $0 + 1 }
            for (i, first) in starts.enumerated() {
                let end = i + 1 < starts.count ? starts[i + 1] - 1 : last
                let header = i == 0 ? 0.0 : 15  // the lines' heading, repeated
                let tall = header + (first...end).reduce(0.0) { $0 + ($1 == 1 ? 24 : sheet.height(ofRow: $1)) }
                #expect(tall <= 797.7, "\(count) lines: the page from row \(first) to \(end) holds \(tall) points")
            }
            broken += sheet.rowBreaks.isEmpty ? 0 : 1
        }
        #expect(broken == 21, "every one of these invoices runs over a page")
    }

    /// A line of 12,345,678 images (10 characters grouped) printed `###` in the quantity
    /// column's 9 widths: from layout 11 it is 11 wide; an earlier layout keeps its 9.
    @Test func theQuantityColumnFitsItsLargestQuantity() throws {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var record = try DocumentRecord(entry: fixture.entry)
        record.lines[0].quantity = 12_345_678
        for (layout, width) in [(10, 9.0), (11, 11.0)] {
            record.layout = layout
            let sheet = try withTemporaryFolder { folder in
                _ = try fixture.regenerated(record, in: folder, as: "invoice.xlsx")
                return try PrintedSheet(folder + "/invoice.xlsx")
            }
            // libxlsxwriter stores a width with its 0.71 digits of padding.
            #expect(abs(sheet.width(ofColumn: "B") - (width + 0.7109375)) < 0.001, "layout \(layout): \(sheet.width(ofColumn: "B"))")
        }
    }

    /// A document issued in an earlier layout regenerates as it was printed: no breaks.
    @Test func earlierLayoutsAreNotBroken() throws {
        #expect(try invoice(lines: 60, layout: 10).rowBreaks.isEmpty)
        #expect(try !invoice(lines: 60, layout: 11).rowBreaks.isEmpty)
    }
}
