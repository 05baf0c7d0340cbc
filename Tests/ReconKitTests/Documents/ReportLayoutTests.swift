import Testing

@testable import ReconKit

/// A month's reports are held as an array of `Report` values and read whole by every pass
/// over the month: their size is what a million of them weigh.
@Suite struct ReportLayoutTests {
    @Test func aReportTakesEightyEightBytes() {
        // Four names of 16 bytes, the time (8), the date, images and line (4 each), the urgency (1).
        #expect(MemoryLayout<Report>.size == 85)
        #expect(MemoryLayout<Report>.stride == 88)
    }

    @Test func theInitializerKeepsItsArgumentsWhereTheyGo() {
        let r = Report(id: "R1", reportedAt: Timestamp(nanoseconds: 7), localDate: LocalDate(dayNumber: 20_500),
                       clientId: "C1", radiologistId: "D1", modality: "CT", imageCount: 3, urgency: .stat, line: 9)
        #expect((r.id, r.clientId, r.radiologistId, r.modality) == ("R1", "C1", "D1", "CT"))
        #expect((r.reportedAt.nanoseconds, r.localDate.dayNumber, r.imageCount, r.line) == (7, 20_500, 3, 9))
        #expect(r.urgency == .stat)
        #expect(Report(id: "R1", reportedAt: Timestamp(nanoseconds: 7), localDate: LocalDate(dayNumber: 20_500), clientId: "C1",
                       radiologistId: "D1", modality: "CT", imageCount: 3, urgency: .stat).line == 0)
    }
}
