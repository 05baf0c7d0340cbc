import Foundation
import Testing

@testable import ReconKit

/// The review's Decisions sheet: a report excluded by its id, no flag raised, showed the report
/// id under flag_id, a flag an auditor looked for and could not find. Its flag_id is empty; a
/// report decided by id whose hard flag is raised shows that flag; a flag decided by id shows it.
struct ReviewDecisionsSheetTests {
    @Test func aDecisionByReportIdShowsNoFlagItNeverDecided() throws {
        let period = Period("2026-03")!
        var state = ReviewWorkbookTests.state()
        // E2's hard flag is raised; E1 has none; F3's flag is decided by its flag id.
        state.apply(.flagRaised(.init(AuditFlag(id: "HARD-e2", severity: .hard, code: "IMAGES_OVER_CONTRACT", subject: "E2",
                                                      period: period, reason: "9 images in one case", score: "1"))),
                    seq: 8, at: "2026-04-01T08:00:00Z")
        state.apply(.flagDecided(.init(id: "E1", decision: .exclude, by: "Ops", note: "duplicate", subject: "E1", period: period,
                                       reportId: "E1")), seq: 9, at: "2026-04-01T09:00:00Z")
        state.apply(.flagDecided(.init(id: "E2", decision: .approve, by: "Ops", note: "", subject: "E2", period: period,
                                       reportId: "E2")), seq: 10, at: "2026-04-01T09:00:00Z")
        state.apply(.flagDecided(.init(id: "SOFT-f3", decision: .approve, by: "Ops", note: "", subject: "C1", period: period,
                                       reportId: nil)), seq: 11, at: "2026-04-01T09:00:00Z")
        let review = PeriodReview(period: period, book: PeriodBook(period: period, fxDate: period.lastDay), hardFlags: [],
                                  softFlags: [], blockOnSoft: false, stats: [], softFlagsFinal: true)
        let path = LongIdsPrintWholeTests.temporary("decisions")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ReviewWorkbook.write(review, state: state, to: path, created: LongIdsPrintWholeTests.created)
        // Flags, Problems, Decisions, Images per case (no Trends: no party was scored).
        let sheet = try PrintedSheet(path, sheet: 3)
        #expect(sheet.cells["B1"]?.text == "flag_id" && sheet.cells["C1"]?.text == "report_id")
        #expect((sheet.cells["B2"]?.text ?? "") == "" && sheet.cells["C2"]?.text == "E1", "\(sheet.cells)")
        #expect(sheet.cells["B3"]?.text == "HARD-e2" && sheet.cells["C3"]?.text == "E2")
        #expect(sheet.cells["B4"]?.text == "SOFT-f3" && (sheet.cells["C4"]?.text ?? "") == "")
    }
}
