import Foundation
import Testing

@testable import ReconKit
@testable import XLSX

/// Layout 5: an issued document's parts are deflated at zlib's level 1 (``PartDeflate``),
/// the same XML as layout 4's; a document of an earlier layout regenerates with
/// libxlsxwriter's own level, byte for byte.
@Suite("Documents — layout 5, parts deflated at zlib's level 1")
struct DocumentDeflateTests {
    /// The deflate option each part's local header records (general purpose bits 1–2, as
    /// minizip sets them from the level: 0 normal, 3 "super fast", level 1).
    static func deflateOptions(_ bytes: Data) throws -> Set<Int> {
        try bytes.withUnsafeBytes { raw in
            let zip = raw.bindMemory(to: UInt8.self)
            let entries = try #require(AssembledParts.centralDirectory(zip))
            #expect(entries.count > 8)
            return Set(entries.map { Int(zip.uint16(at: $0.localHeader + 6) >> 1 & 3) })
        }
    }

    /// A document of a layout a later recon issued (an operator gone back to an earlier build)
    /// was regenerated as this build's own layout, other bytes, and refused as damage ("does not
    /// give its recorded SHA-256"). It is refused as a later recon's, naming the layout, and
    /// nothing is written.
    @Test func aLayoutALaterReconIssuedIsRefusedAsSuch() throws {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var record = try DocumentRecord(entry: fixture.entry)
        record.layout = DocumentRecord.newestLayout + 1
        try withTemporaryFolder { folder in
            #expect(throws: ReconFailure.self) { _ = try fixture.regenerated(record, in: folder, as: "later.xlsx") }
            do { _ = try fixture.regenerated(record, in: folder, as: "later.xlsx") } catch let failure as ReconFailure {
                #expect(failure.code == .refused && failure.message.contains("is of layout \(DocumentRecord.newestLayout + 1), which a "
                    + "later recon issued; this build writes layouts up to \(DocumentRecord.newestLayout)"), "\(failure.message)")
            }
            #expect(FileIO.list(folder).isEmpty)
        }
    }

    @Test func layoutFiveIsDeflatedFastAndEarlierLayoutsAsLibxlsxwriterDoes() throws {
        #expect(PartDeflate.canChoose)
        #expect(DocumentRecord.currentLayout == 16)
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var record = try DocumentRecord(entry: fixture.entry)
        try withTemporaryFolder { folder in
            let asIssued = try fixture.regenerated(record, in: folder, as: "layout3.xlsx")
            #expect(try Self.deflateOptions(asIssued) == [0])
            #expect(asIssued == (try fixture.printed("INV-2026-000001.xlsx")))
            record.layout = 4
            let four = try fixture.regenerated(record, in: folder, as: "layout4.xlsx")
            #expect(try Self.deflateOptions(four) == [0])
            record.layout = 5
            let five = try fixture.regenerated(record, in: folder, as: "layout5.xlsx")
            #expect(try Self.deflateOptions(five) == [3])
            #expect(five != four)
            // The same parts, deflated otherwise; and layout 5 written again is the same bytes.
            for part in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml", "xl/styles.xml"] {
                #expect(try zipEntry(folder + "/layout5.xlsx", part) == (try zipEntry(folder + "/layout4.xlsx", part)), "\(part)")
            }
            #expect(try fixture.regenerated(record, in: folder, as: "again.xlsx") == five)
            // Layout 6 widens amount columns only for amounts wider than them: this invoice's fit.
            record.layout = 6
            #expect(try fixture.regenerated(record, in: folder, as: "layout6.xlsx") == five)
            // Layout 7 names the document in every page's footer; nothing else of the sheets changes.
            record.layout = 7
            let seven = try fixture.regenerated(record, in: folder, as: "layout7.xlsx")
            for part in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
                let six = try zipEntry(folder + "/layout6.xlsx", part), footed = try zipEntry(folder + "/layout7.xlsx", part)
                #expect(six.contains("<oddFooter>&amp;CPage &amp;P of &amp;N</oddFooter>"), "\(part)")
                #expect(footed == six.replacingOccurrences(of: "<oddFooter>&amp;CPage", with: "<oddFooter>&amp;LINV-2026-000001&amp;CPage"), "\(part)")
            }
            #expect(try fixture.regenerated(record, in: folder, as: "seven-again.xlsx") == seven)
        }
    }
}

@Suite("Documents — the footer's title")
struct FooterTitleTests {
    @Test func ampersandsAreDoubledAndALongTitleIsCutWithinExcelsLimit() {
        #expect(Worksheet.footer(title: nil) == "&CPage &P of &N")
        #expect(Worksheet.footer(title: "") == "&CPage &P of &N")
        // A single `&` would start a code: "&B" turns bold on and the text after it vanishes.
        #expect(Worksheet.footer(title: "Account statement B&B, 2026-06-30") == "&LAccount statement B&&B, 2026-06-30&CPage &P of &N")
        let long = Worksheet.footer(title: String(repeating: "é&", count: 200))
        #expect(long.count <= 255 && long.hasSuffix("&CPage &P of &N"))
        // Never cut between the two halves of a doubled ampersand.
        let left = long.dropFirst(2).dropLast("&CPage &P of &N".count)
        #expect(left.replacingOccurrences(of: "&&", with: "").contains("&") == false, "\(left)")
    }
}

@Suite("Documents — an invoice's tax is its exact amount")
struct InvoiceTaxCellTests {
    /// An invoice's tax components were `ROUND` formulas: a spreadsheet recalculates them in
    /// doubles to 15 digits, and 32,783,504.77 × 23.063522 % (7,561,030.8349999994…, 7,561,030.83
    /// exactly rounded) came back 7,561,030.84, the total a cent above the ledger's. From layout 8
    /// each component is its exact amount; subtotal and total stay formulas (SPEC §7), and a
    /// document of layout 7 regenerates with its formula, as issued.
    @Test func fromLayoutEightAnInvoicesTaxComponentsAreValues() throws {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var record = try DocumentRecord(entry: fixture.entry)
        try withTemporaryFolder { folder in
            for layout in [7, 8] {
                record.layout = layout
                _ = try fixture.regenerated(record, in: folder, as: "layout\(layout).xlsx")
                let sheet = try PrintedSheet(folder + "/layout\(layout).xlsx")
                // The fixture: subtotal 100.00, one component "Tax 18 %" of 18.00, total 118.00.
                let tax = try #require(sheet.reference(of: "Tax 18 %").flatMap(sheet.cell(rightOf:)))
                #expect(tax.number.flatMap(Double.init) == 18, "layout \(layout)")
                #expect(tax.formula == (layout == 7 ? "ROUND(D\(PrintedSheet.row(sheet.reference(of: "Subtotal")!) + 0)*18/100,2)" : nil),
                        "layout \(layout): \(tax.formula ?? "a value")")
                let subtotal = try #require(sheet.reference(of: "Subtotal").flatMap(sheet.cell(rightOf:)))
                let total = try #require(sheet.reference(of: "Total due (INR)").flatMap(sheet.cell(rightOf:)))
                #expect(subtotal.formula?.hasPrefix("SUM(") == true && total.formula?.hasPrefix("D") == true, "layout \(layout)")
                #expect(total.number.flatMap(Double.init) == 118)
            }
        }
    }
}

@Suite("Documents — long line descriptions print whole")
struct LongLineDescriptionTests {
    /// The invoice fixture's first line given `description`, printed in each of `layouts`:
    /// each layout, its first sheet read back, and the description's cell.
    func printed(_ description: String, layouts: [Int]) throws -> [(layout: Int, sheet: PrintedSheet, ref: String)] {
        let fixture = try DocumentFixture("invoice-layout3", seq: 7, kind: "invoice.issued")
        var record = try DocumentRecord(entry: fixture.entry)
        record.lines[0].description = description
        return try withTemporaryFolder { folder in
            try layouts.map { layout in
                record.layout = layout
                _ = try fixture.regenerated(record, in: folder, as: "layout\(layout).xlsx")
                let sheet = try PrintedSheet(folder + "/layout\(layout).xlsx")
                return (layout, sheet, try #require(sheet.reference(of: description)))
            }
        }
    }

    /// A line priced in many tiers names them all (SPEC §7); unwrapped, the amounts beside it
    /// cut the list. From layout 7 such a description wraps on a row as tall as it needs; a
    /// short one, and every line of an earlier layout, is written as it was.
    @Test func aLongDescriptionWrapsFromLayoutSevenOn() throws {
        let long = "ULTRASND, routine — tiers 1, 3, 5, 7, 9, 11, 13, 15, graduated pricing"
        for (layout, sheet, ref) in try printed(long, layouts: [6, 7]) {
            let row = PrintedSheet.row(ref)
            #expect(sheet.cells[ref]?.wraps == (layout == 7), "layout \(layout)")
            // 71 characters at 52 a printed line: two lines, 30 points.
            #expect(sheet.rowHeights[row] == (layout == 7 ? 30 : nil), "layout \(layout): \(sheet.rowHeights)")
        }
    }

    /// Beside a description that wraps, the quantity, unit price and amount sat at the foot of
    /// the tall row, where they read as the next line's; from layout 9 they are level with its
    /// first line. Layout 8 is written as it was (its documents regenerate byte for byte).
    @Test func theAmountsBesideAWrappedDescriptionAreLevelWithItFromLayoutNineOn() throws {
        let long = "CT, routine — tier 1–2, graduated pricing (card from 2026-01-01); tier 1–10, volume pricing (card from 2026-01-15)"
        for (layout, sheet, ref) in try printed(long, layouts: [8, 9]) {
            let row = PrintedSheet.row(ref)
            for column in ["B", "C", "D"] {
                let cell = try #require(sheet.cells["\(column)\(row)"], "layout \(layout): no \(column)\(row)")
                #expect(cell.topAligned == (layout == 9), "layout \(layout), \(column)\(row): \(cell)")
            }
        }
    }
}
