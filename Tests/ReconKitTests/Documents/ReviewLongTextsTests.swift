import Foundation
import Testing

@testable import ReconKit

/// review.xlsx: a soft flag's reason runs to a few hundred characters, and decision notes and
/// pricing problems to a hundred or more. Each wraps in its column on a row as tall as it
/// needs; LibreOffice does not size a row to its wrapped text, so without a height it prints
/// one line and the rest overlaps the next row or is lost.
@Suite("Review — long reasons, notes and problems print whole")
struct ReviewLongTextsTests {
    static let period = Period("2026-10")!
    static let softReason = "Low images per case: 2.8, down from 4.2 (own last 3 months 2.8–16.5; middle half of "
        + "radiologists with 12 months' seniority or more: 3.3–3.6); driven by C-NOVA-JAI (14 reports, 3.1 images per case), "
        + "C-ATLAS-AE (9 reports, 2.4 images per case) and C-LIFFEY-IE (6 reports, 2.2 images per case)"
    static let hardReason = "70 images in one case; the contract of C-ATLAS-AE allows 45"
    static let note = "follow-up series requested by the referring physician; contrast and non-contrast series, "
        + "approved per contract annex B"
    /// Who decided, longer than the columns it is printed in (it ran into the note, cut).
    static let by = "Asha Rao-Venkataraman, Finance Controller (Accounts Receivable, South Zone)"
    static let message = "client C-NOVA-JAI: CT routine: no client rate row of the 2026-10-01 card matches (14 reports, "
        + "e.g. NOVA-2610-00001, NOVA-2610-00002, NOVA-2610-00003)"

    func review() throws -> (path: String, book: [String: PrintedSheet]) {
        let decision = DecisionRecord(seq: 40, flagId: "HARD-04d76aaa2e", reportId: "ATLAS-2610-00166", decision: .approve,
                                      by: Self.by, note: Self.note, period: Self.period)
        let hard = PeriodReview.FlagState(flag: AuditFlag(
            id: "HARD-04d76aaa2e", severity: .hard, code: "IMAGES_OVER_CONTRACT", subject: "ATLAS-2610-00166",
            period: Self.period, reason: Self.hardReason, score: "1"), decision: decision)
        let soft = PeriodReview.FlagState(flag: AuditFlag(
            id: "SOFT-75ab92581e", severity: .soft, code: "SOFT_IMAGES_PER_CASE", subject: "R-NAIR", period: Self.period,
            reason: Self.softReason, score: "0.7039", features: [("images_per_case", 2.772)]))
        var book = PeriodBook(period: Self.period, fxDate: Self.period.lastDay)
        book.problems = [PricingProblem(code: .unpriced, side: .invoice, subject: "C-NOVA-JAI", message: Self.message)]
        let review = PeriodReview(period: Self.period, book: book, hardFlags: [hard], softFlags: [soft], blockOnSoft: false,
                                  stats: [], softFlagsFinal: true)
        var state = ReviewWorkbookTests.state()
        state.apply(.flagDecided(.init(id: "HARD-04d76aaa2e", decision: .approve, by: decision.by, note: Self.note,
                                       subject: "ATLAS-2610-00166", period: Self.period, reportId: "ATLAS-2610-00166")),
                    seq: 40, at: "2026-11-01T09:00:00Z")
        let path = FileManager.default.temporaryDirectory.path + "/review-\(UUID().uuidString).xlsx"
        try ReviewWorkbook.write(review, state: state, to: path, created: Date(timeIntervalSince1970: 1_793_523_600))
        // Flags, Trends (a soft flag), Problems, Decisions.
        return (path, ["Flags": try PrintedSheet(path, sheet: 1), "Problems": try PrintedSheet(path, sheet: 3),
                       "Decisions": try PrintedSheet(path, sheet: 4)])
    }

    /// `text` wraps in its column, on a row at least a line tall for each column width of it.
    func expectWhole(_ text: String, in sheet: PrintedSheet, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let ref = sheet.reference(of: text) else {
            Issue.record("no cell holds \(text)", sourceLocation: sourceLocation)
            return
        }
        let width = sheet.width(ofColumn: PrintedSheet.column(ref))
        #expect(sheet.cells[ref]?.wraps == true, "\(ref) does not wrap", sourceLocation: sourceLocation)
        #expect(sheet.height(ofRow: PrintedSheet.row(ref)) >= 15 * (Double(text.count) / width).rounded(.up),
                "\(ref): \(text.count) characters in a column \(width) wide", sourceLocation: sourceLocation)
    }

    @Test func reasonsNotesAndProblemsPrintWhole() throws {
        let (path, book) = try review()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let flags = try #require(book["Flags"])
        expectWhole(Self.softReason, in: flags)
        expectWhole(Self.note, in: flags)
        expectWhole(Self.message, in: try #require(book["Problems"]))
        expectWhole(Self.note, in: try #require(book["Decisions"]))
        expectWhole(Self.by, in: flags)
        expectWhole(Self.by, in: try #require(book["Decisions"]))
        // The hard flag's row is as tall as the note beside its one-line reason; the header's keeps 15 points.
        let reason = try #require(flags.reference(of: Self.hardReason))
        #expect(flags.height(ofRow: PrintedSheet.row(reason)) >= 30, "the hard flag's note takes two lines or more")
        #expect(flags.height(ofRow: 1) == 15)
        // The score column holds `1.0000` and a gap: at its header's width (7) the score printed
        // flush against the reason beside it ("1.000070 images in one case").
        #expect((10...11).contains(flags.columnWidths["F"] ?? 0), "\(flags.columnWidths)")
    }
}
