import Foundation
import Testing

@testable import ReconKit

/// SPEC §7: a workbook opens cleanly in Excel and LibreOffice — an amount too wide for its
/// column prints `###` there. A statement's and a draft's amount columns are as wide as the
/// widest amount they hold (at least a digit width a character as it prints, which
/// LibreOffice needs for a bold total), and never narrower than before.
@Suite("Documents — large amounts print whole, not ###")
struct LargeAmountsPrintWholeTests {
    static let idr = Currency(code: "IDR")!
    static let inr = Currency(code: "INR")!
    static let created = Date(timeIntervalSince1970: 1_775_120_400)  // 2026-04-02T09:00:00Z

    /// A column wide enough for `printed` (an amount as its format shows it).
    func expectHolds(_ sheet: PrintedSheet, _ column: String, _ printed: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sheet.width(ofColumn: column) >= Double(printed.count), "column \(column) for \(printed)",
                sourceLocation: sourceLocation)
    }

    func statement(_ total: String, in currency: Currency) throws -> PrintedSheet {
        // Issued 2026-01-31, due 2026-03-02; as of 2026-04-05 it is 34 days past due (31–60, column E).
        let invoice = IssuedDocument(seq: 1, at: "2026-01-31T12:00:00Z", kind: .invoice, number: "INV-2026-000001",
                                     period: Period("2026-01")!, partyId: "C1", currency: currency, subtotal: Fixture.d(total),
                                     tax: currency.zero, total: Fixture.d(total), file: "", sha256: "", refersTo: nil,
                                     dueOn: Fixture.date("2026-03-02"))
        let receivables = try Receivables(clientId: "C1", documents: [invoice], payments: [], asOf: Fixture.date("2026-04-05")) {
            LocalDate(Substring($0.at.prefix(10)))!
        }
        let header = StatementWorkbook.Header(clientId: "C1", clientName: "Client One", site: "s", seller: nil,
                                              party: PartyDetails(), paper: .a4)
        let path = FileManager.default.temporaryDirectory.path + "/statement-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try StatementWorkbook.write(header, receivables: receivables, to: path, created: Self.created)
        return try PrintedSheet(path)
    }

    /// 1,665,000,000.00 IDR as the amount (F), the balance and total due (G) and the 31–60 bucket (E).
    @Test func aStatementsAmountColumnsHoldItsLargestAmount() throws {
        let sheet = try statement("1665000000.00", in: Self.idr)
        #expect(sheet.cells.values.contains { $0.number == "1665000000" && $0.numberFormat == #"#,##0.00 "IDR""# })
        for column in ["E", "F", "G"] { expectHolds(sheet, column, "1,665,000,000.00 IDR") }
    }

    /// Small amounts keep the statement's widths: Amount and Balance 16, the due dates' column 11.
    @Test func aStatementOfSmallAmountsKeepsItsWidths() throws {
        let sheet = try statement("12.00", in: Self.inr)
        #expect(sheet.width(ofColumn: "E") < 12 && sheet.width(ofColumn: "E") >= 11)
        for column in ["F", "G"] { #expect(sheet.width(ofColumn: column) < 17 && sheet.width(ofColumn: column) >= 16) }
    }

    /// 2 reports at 12,500,000.00 INR: subtotal 25,000,000.00, tax 18 % 4,500,000.00, total
    /// 29,500,000.00 on the Summary (E, F, G); the unit price and amount on `Lines` (H, J).
    @Test func aDraftsSummaryAndLinesHoldTheirLargestAmounts() throws {
        let line = DocumentLine(modality: "CT", urgency: .routine, per: "report", quantity: 2,
                                unitAmount: Fixture.d("12500000.00"), unitCurrency: Self.inr, amount: Fixture.d("25000000.00"))
        let draft = try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "Client One", currency: Self.inr,
                                      taxRate: Fixture.d("18"), lines: [line], reportCount: 2)
        let period = Period("2026-03")!
        var book = PeriodBook(period: period, fxDate: period.lastDay)
        book.invoices = [draft]
        let path = FileManager.default.temporaryDirectory.path + "/draft-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try DraftWorkbook.write(book, side: .invoice, site: "s", to: path, created: Self.created)
        let summary = try PrintedSheet(path)
        #expect(summary.cells["G5"]?.number == "29500000")
        expectHolds(summary, "E", "25,000,000.00 INR")
        expectHolds(summary, "F", "4,500,000.00 INR")
        expectHolds(summary, "G", "29,500,000.00 INR")
        let lines = try PrintedSheet(path, sheet: 2)
        expectHolds(lines, "H", "12,500,000.00 INR")
        expectHolds(lines, "J", "25,000,000.00 INR")
    }
}
