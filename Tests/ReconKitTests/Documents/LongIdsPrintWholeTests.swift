import Foundation
import Testing

@testable import ReconKit

/// SPEC §2 lets an id run to 64 characters. Printed in a column sized for short ones, an id
/// was cut by the cell beside it: two payments whose ids differ only at their end
/// (`…-PART-1`, `…-PART-2`) read as one on a client's statement. On the derived workbooks
/// every id prints whole: the statement wraps its reference, top-aligned with its row; the
/// review, the margin summary and the drafts make an id's column as wide as its longest id.
@Suite("Documents — long ids print whole")
struct LongIdsPrintWholeTests {
    static let client = "HOSP-KARNATAKA-BENGALURU-NORTH-ZONE-0001"
    static let report = "STUDY-1.2.840.113619.2.55.3.604688119.969.1268071029.320"
    static let payments = ["NEFT-HDFCN52026040512345678-PART-1", "NEFT-HDFCN52026040512345678-PART-2"]
    /// 64 characters, the longest an id may be.
    static let longest = String(repeating: "X", count: 60) + "-001"
    static let usd = Currency(code: "USD")!
    static let created = Date(timeIntervalSince1970: 1_775_811_600)  // 2026-04-10T09:00:00Z

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.path + "/\(name)-\(UUID().uuidString).xlsx"
    }

    /// A column at least as wide as `id` (the file gives widths with the cell's padding).
    func expectHolds(_ id: String, in sheet: PrintedSheet, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let ref = sheet.reference(of: id) else {
            Issue.record("\(what): no cell holds \(id)", sourceLocation: sourceLocation)
            return
        }
        let width = sheet.width(ofColumn: PrintedSheet.column(ref))
        #expect(width >= Double(id.count), "\(what): \(ref) is \(width) wide for \(id.count) characters", sourceLocation: sourceLocation)
    }

    /// The account statement of a client invoiced INV-2026-000001 (50.00 USD) for March, who
    /// paid `payments`, as printed.
    static func statement(paying payments: [Payment]) throws -> PrintedSheet {
        let invoice = IssuedDocument(seq: 1, at: "2026-04-01T12:00:00Z", kind: .invoice, number: "INV-2026-000001",
                                     period: Period("2026-03")!, partyId: client, currency: usd,
                                     subtotal: Fixture.d("50.00"), tax: usd.zero, total: Fixture.d("50.00"), file: "",
                                     sha256: "", refersTo: nil, dueOn: Fixture.date("2026-05-01"))
        let receivables = try Receivables(clientId: client, documents: [invoice], payments: payments,
                                          asOf: Fixture.date("2026-04-10")) { LocalDate(Substring($0.at.prefix(10)))! }
        let header = StatementWorkbook.Header(clientId: client, clientName: "Long Id Hospital", site: "s", seller: nil,
                                              party: PartyDetails(), paper: .a4)
        let path = temporary("statement")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try StatementWorkbook.write(header, receivables: receivables, to: path, created: created)
        return try PrintedSheet(path)
    }

    @Test func aStatementWrapsALongPaymentIdOnARowTallEnoughForIt() throws {
        let ids = Self.payments + [Self.longest]
        let sheet = try Self.statement(paying: ids.enumerated().map { i, id in
            Payment(id: id, clientId: Self.client, receivedOn: Fixture.date("2026-04-0\(5 + i)"), amount: Fixture.d("10.00"),
                    currency: Self.usd, reference: "bank transfer")
        })
        for id in ids {
            let ref = try #require(sheet.reference(of: id), "\(id)")
            #expect(PrintedSheet.column(ref) == "C")
            let cell = try #require(sheet.cells[ref])
            #expect(cell.wraps && cell.topAligned, "\(ref) \(cell)")
            // A line per column width of it at the very least (capitals are wider than digits).
            let lines = (Double(id.count) / sheet.width(ofColumn: "C")).rounded(.up)
            #expect(sheet.height(ofRow: PrintedSheet.row(ref)) >= 15 * lines, "\(ref): \(id.count) characters")
        }
        // Broken after its first hyphen, the id prints on three lines, as LibreOffice draws it:
        // `NEFT-`, `HDFCN52026040512345`, `678-PART-1`.
        let first = try #require(sheet.reference(of: Self.payments[0]))
        #expect(sheet.height(ofRow: PrintedSheet.row(first)) >= 45)
        // An invoice's number fits its column: its row keeps one line.
        let number = try #require(sheet.cells.first { $0.value.text == "INV-2026-000001" && PrintedSheet.column($0.key) == "C" })
        #expect(sheet.height(ofRow: PrintedSheet.row(number.key)) == 15)
    }

    /// A 200-character end-to-end reference with no space in it (a SEPA id), after the
    /// details' "for …, ref. ": the row was reckoned at 42 characters a line, and its last 9
    /// characters were cut. Column D holds 35 capitals and digits a line: "for INV-2026-000001,
    /// ref." is 25 of the first, the reference then starts a line of its own and takes
    /// 200 / 35 → 6 — seven lines, 105 points.
    @Test func aStatementGivesAnUnbrokenReferenceTheLinesItNeeds() throws {
        let reference = String(String(repeating: "SEPACTE2EABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", count: 5).prefix(200))
        let sheet = try Self.statement(paying: [Payment(id: "P1", clientId: Self.client, receivedOn: Fixture.date("2026-04-05"),
                                                        amount: Fixture.d("10.00"), currency: Self.usd, reference: reference,
                                                        invoice: "INV-2026-000001")])
        let ref = try #require(sheet.cells.first { $0.value.text?.hasSuffix(reference) == true }?.key)
        #expect(sheet.cells[ref]?.text == "for INV-2026-000001, ref. " + reference, "\(sheet.cells[ref]?.text ?? "")")
        #expect(sheet.height(ofRow: PrintedSheet.row(ref)) >= 105, "\(sheet.rowHeights)")
    }

    @Test func theReviewPrintsLongIdsWhole() throws {
        let period = Period("2026-03")!
        let decision = DecisionRecord(seq: 9, flagId: "HARD-04d76aaa2e", reportId: Self.report, decision: .approve,
                                      by: "A Reviewer", note: "", period: period)
        let hard = PeriodReview.FlagState(flag: AuditFlag(
            id: "HARD-04d76aaa2e", severity: .hard, code: "IMAGES_OVER_CONTRACT", subject: Self.report, period: period,
            reason: "9 images in one case; the contract of \(Self.client) allows 5", score: "1"), decision: decision)
        let soft = PeriodReview.FlagState(flag: AuditFlag(
            id: "SOFT-75ab92581e", severity: .soft, code: "SOFT_IMAGES_PER_CASE", subject: Self.longest, period: period,
            reason: "High images per case: 9.0, up from 3.0", score: "0.7", features: [("images_per_case", 9)]))
        var book = PeriodBook(period: period, fxDate: period.lastDay)
        book.problems = [PricingProblem(code: .unpriced, side: .invoice, subject: Self.longest, message: "no client rate matches")]
        let stats = [Self.client, Self.longest].map {
            PartyPeriodStats(party: .client, partyId: $0, period: "2026-03", ageMonths: 60, reports: 1, images: 9,
                             revenueBase: 50, costBase: 10)
        }
        let review = PeriodReview(period: period, book: book, hardFlags: [hard], softFlags: [soft], blockOnSoft: false,
                                  stats: stats, softFlagsFinal: true)
        var state = ReviewWorkbookTests.state()
        state.apply(.flagDecided(.init(id: "HARD-04d76aaa2e", decision: .approve, by: "A Reviewer", note: "",
                                       subject: Self.report, period: period, reportId: Self.report)),
                    seq: 9, at: "2026-04-01T09:00:00Z")
        let path = Self.temporary("review")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ReviewWorkbook.write(review, state: state, to: path, created: Self.created)
        // Flags, Trends, Problems, Decisions, Images per case.
        let flags = try PrintedSheet(path, sheet: 1)
        expectHolds(Self.report, in: flags, "Flags")
        expectHolds(Self.longest, in: flags, "Flags")
        expectHolds(Self.longest, in: try PrintedSheet(path, sheet: 2), "Trends")
        expectHolds(Self.longest, in: try PrintedSheet(path, sheet: 3), "Problems")
        expectHolds(Self.report, in: try PrintedSheet(path, sheet: 4), "Decisions")
        let images = try PrintedSheet(path, sheet: 5)
        expectHolds(Self.client, in: images, "Images per case")
        expectHolds(Self.longest, in: images, "Images per case")
    }

    @Test func theMarginSummaryPrintsLongClientIdsWhole() throws {
        let period = Period("2026-03")!
        let rows = [Self.client, Self.longest].map {
            MarginSummaryWorkbook.Row(period, "closed", MarginRow(clientId: $0, modality: "CT", reports: 1,
                                                                  revenue: Fixture.d("50.00"), cost: Fixture.d("10.00")))
        }
        let path = Self.temporary("margin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MarginSummaryWorkbook.write(rows: rows, base: Self.usd, site: "s", to: path, created: Self.created)
        for (sheet, name) in [(2, "By client"), (3, "Detail")] {
            let printed = try PrintedSheet(path, sheet: sheet)
            expectHolds(Self.client, in: printed, name)
            expectHolds(Self.longest, in: printed, name)
        }
    }

    @Test func theDraftsSummaryPrintsALongClientIdWhole() throws {
        let line = DocumentLine(modality: "CT", urgency: .routine, per: "report", quantity: 1,
                                unitAmount: Fixture.d("50.00"), unitCurrency: Self.usd, amount: Fixture.d("50.00"))
        let draft = try DocumentDraft(kind: .invoice, partyId: Self.longest, partyName: "Long Id Hospital", currency: Self.usd,
                                      taxRate: Fixture.d("0"), lines: [line], reportCount: 1)
        let period = Period("2026-04")!
        var book = PeriodBook(period: period, fxDate: period.lastDay)
        book.invoices = [draft]
        let path = Self.temporary("draft")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try DraftWorkbook.write(book, side: .invoice, site: "s", to: path, created: Self.created)
        expectHolds(Self.longest, in: try PrintedSheet(path), "Summary")
        expectHolds(Self.longest, in: try PrintedSheet(path, sheet: 2), "Lines")
        // The draft's document, DRAFT- and the party's id, was cut at 20 by its period beside it.
        expectHolds("DRAFT-" + Self.longest, in: try PrintedSheet(path, sheet: 2), "Lines document")
    }
}
