import Foundation
import Testing

@testable import ReconKit

/// SPEC §5: balances are per currency, so a client that changed currency has a statement of
/// one section per currency; SPEC §7: every sheet prints its header row on every page. The
/// heading printed atop each page must fit the rows under it, whichever section they are in.
struct StatementCurrencySectionsTests {
    /// A client invoiced in USD for March, then in EUR for April, with 70 payments: two
    /// sections that run over a page.
    func statement() throws -> (path: String, sheet: PrintedSheet) {
        func invoice(_ seq: Int, _ number: String, _ currency: Currency, issued: String, due: String) -> IssuedDocument {
            IssuedDocument(seq: seq, at: issued + "T12:00:00Z", kind: .invoice, number: number,
                           period: Fixture.date(issued).period.previous, partyId: "C2", currency: currency,
                           subtotal: Fixture.d("600.00"), tax: currency.zero, total: Fixture.d("600.00"), file: "", sha256: "",
                           refersTo: nil, dueOn: Fixture.date(due))
        }
        let usd = Currency(code: "USD")!, eur = Currency(code: "EUR")!
        let docs = [invoice(1, "INV-2026-000001", usd, issued: "2026-04-01", due: "2026-05-01"),
                    invoice(2, "INV-2026-000002", eur, issued: "2026-05-01", due: "2026-05-31")]
        let payments = (1...35).map { Payment(id: "PU\($0)", clientId: "C2", receivedOn: Fixture.date("2026-04-10"),
                                              amount: Fixture.d("10.00"), currency: usd, invoice: nil) }
            + (1...35).map { Payment(id: "PE\($0)", clientId: "C2", receivedOn: Fixture.date("2026-05-10"),
                                     amount: Fixture.d("5.00"), currency: eur, invoice: nil) }
        let receivables = try Receivables(clientId: "C2", documents: docs, payments: payments, asOf: Fixture.date("2026-05-20")) {
            LocalDate(Substring($0.at.prefix(10)))!
        }
        #expect(receivables.accounts.map(\.currency.code) == ["EUR", "USD"])
        let header = StatementWorkbook.Header(clientId: "C2", clientName: "Harbor Clinic", site: "s", seller: nil,
                                              party: PartyDetails(), paper: .a4)
        let path = FileManager.default.temporaryDirectory.path + "/statement-\(UUID().uuidString).xlsx"
        try StatementWorkbook.write(header, receivables: receivables, to: path,
                                    created: Date(timeIntervalSince1970: 1_779_267_600))  // 2026-05-20T09:00:00Z
        return (path, try PrintedSheet(path))
    }

    /// The texts of a row, column by column (A to G).
    func texts(ofRow row: Int, in sheet: PrintedSheet) -> [String] {
        ["A", "B", "C", "D", "E", "F", "G"].map { sheet.cells["\($0)\(row)"]?.text ?? "" }
    }

    @Test func everyPagesHeadingFitsTheCurrencySectionUnderIt() throws {
        let (path, sheet) = try statement()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The rows printed atop every page: `Statement!$N:$N`.
        let workbook = try zipEntry(path, "xl/workbook.xml")
        let titles = try #require(workbook.firstMatch(of: try Regex(#"Print_Titles"[^>]*>Statement!\$([0-9]+):\$([0-9]+)<"#)))
        let repeated = Int(titles.output[1].substring!)!
        #expect(Int(titles.output[2].substring!)! == repeated, "one heading row")
        let heading = texts(ofRow: repeated, in: sheet)
        #expect(heading.first == "Date")
        // Each section's own heading is the one repeated, and names no currency of its own.
        let sections = sheet.cells.filter { PrintedSheet.column($0.key) == "A" && $0.value.text == "Date" }
            .map { PrintedSheet.row($0.key) }.sorted()
        #expect(sections.count == 2)
        for row in sections { #expect(texts(ofRow: row, in: sheet) == heading, "row \(row)") }
        #expect(!heading.contains { $0.contains("EUR") || $0.contains("USD") }, "\(heading)")
        // Each section says its currency above its heading, and every amount and balance under
        // it prints in that currency.
        for (i, (row, code)) in zip(sections, ["EUR", "USD"]).enumerated() {
            #expect(sheet.cells["A\(row - 1)"]?.text?.contains(code) == true, "above row \(row)")
            let end = i + 1 < sections.count ? sections[i + 1] : Int.max
            let amounts = sheet.cells.filter { ["F", "G"].contains(PrintedSheet.column($0.key)) && $0.value.number != nil
                && (row..<end).contains(PrintedSheet.row($0.key)) }
            #expect(amounts.count >= 36)
            #expect(amounts.values.allSatisfy { $0.numberFormat == #"#,##0.00 "\#(code)""# })
        }
    }
}

/// A statement killed while writing left its hidden temporary files in `Outbox/statements/`,
/// the folder handed to clients, and nothing removed them (statements take no lock, so no
/// writer sweeps there): the next statement removes those whose process is gone.
@Suite("Statements — unfinished writes cleared")
struct UnfinishedStatementTests {
    @Test func aStatementRemovesWhatKilledStatementsLeft() throws {
        let site = try TestSite.closedMarchSite()
        let dir = site.path("Outbox/statements")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // 4194305 is past Linux's largest process id: no process has it.
        let gone = [".C1.xlsx.4194305.tmp", "..C1.xlsx.4194305.tmp.1a2b.partial"]
        let running = ".C2.xlsx.\(getpid()).tmp"  // this test's own process stands for a statement writing now
        for name in gone + [running] { try "unfinished".write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
        let run = try site.recon(["statement", "C1"], env: TestSite.rerunDay)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.err.contains("removed Outbox/statements/.C1.xlsx.4194305.tmp, left by an interrupted statement"), "\(run.err)")
        #expect(FileIO.hiddenNames(in: dir).sorted() == [running])
        #expect(site.exists("Outbox/statements/C1.xlsx"))
    }
}
