import Testing

@testable import ReconKit

/// The report-id index a batch of drops is checked against (`ReportPositions`): it keeps
/// positions only and reads ids from the reports, so these tests hold it to what a
/// dictionary from id to first position would answer, through every growth of its table.
@Suite("Report positions: id → first position, without the ids")
struct ReportPositionsTests {
    static func report(_ id: String) -> Report {
        Report(id: id, reportedAt: Timestamp(nanoseconds: 0), localDate: LocalDate(year: 2026, month: 3, day: 1)!,
               clientId: "C1", radiologistId: "D1", modality: "CT", imageCount: 1, urgency: .routine, line: 2)
    }

    /// Built from reports that repeat some ids: each id finds its first position, as the
    /// dictionary it replaces did; an id not held finds nothing. Long ids (past the 15 bytes
    /// a `String` holds inline) are compared as text, not by where they are stored.
    @Test func eachIdFindsItsFirstPosition() {
        let ids = (0..<5_000).map { i in i % 10 == 9 ? "R-\(i - 9)" : "R-\(i)-" + String(repeating: "x", count: i % 40) }
        let reports = ids.map(Self.report)
        let table = ReportPositions(reports, capacity: reports.count)
        var first: [String: Int32] = [:]
        for (i, id) in ids.enumerated() where first[id] == nil { first[id] = Int32(i) }
        #expect(table.count == first.count)
        for (id, position) in first { #expect(table.position(of: id, in: reports) == position, "\(id)") }
        #expect(table.position(of: "R-absent", in: reports) == nil)
        #expect(table.position(of: "R-1-", in: reports) == nil, "a prefix of a held id is another id")
    }

    /// Reports added one by one, as a drop's are, each recorded before it is appended: the
    /// table doubles many times from sixteen slots, placing the report not yet appended by its
    /// own hash, and an id held already is refused and keeps its first position.
    @Test func addedReportsAreFoundThroughEveryGrowth() {
        var reports: [Report] = []
        var table = ReportPositions(reports, capacity: 0)
        for i in 0..<20_000 {
            let id = "R-\(i)"
            let added = table.insert(id, at: Int32(reports.count), in: reports)
            #expect(added, "\(id)")
            reports.append(Self.report(id))
            if i % 1_000 == 999 {
                let again = table.insert("R-\(i / 2)", at: Int32(reports.count), in: reports)
                #expect(!again)
            }
        }
        #expect(table.count == 20_000)
        for i in 0..<20_000 where table.position(of: "R-\(i)", in: reports) != Int32(i) {
            Issue.record("R-\(i) is not found at \(i)")
        }
        table.reserve(50_000, in: reports)
        #expect(table.count == 20_000)
        #expect(table.position(of: "R-19999", in: reports) == 19_999)
        #expect(table.position(of: "R-20000", in: reports) == nil)
    }

    /// A month's table is the size its reports need: 100,000 reports and a sixteenth more
    /// for the drops that follow are 106,250 positions, at most three quarters of the slots:
    /// 141,667 slots (1.1 MB), where the next power of two was 262,144 (2 MB; at four million
    /// reports 64 MB against 45 MB). Reports added past that room grow it by half, not double.
    @Test func theTableIsTheSizeItsReportsNeed() {
        let reports = (0..<100_000).map { Self.report("R\($0)") }
        var table = ReportPositions(reports, capacity: reports.count)
        #expect(table.slotCount == 141_667)
        #expect(table.position(of: "R99999", in: reports) == 99_999)
        // Room for 106,250 in all: the last of 6,250 more goes in without growing the table.
        var all = reports
        for i in 100_000..<106_250 {
            let added = table.insert("R\(i)", at: Int32(all.count), in: all)
            #expect(added)
            all.append(Self.report("R\(i)"))
        }
        #expect(table.slotCount == 141_667)
        // The next fills it past three quarters: half as many slots again (141,667 + 70,833).
        let added = table.insert("R106250", at: Int32(all.count), in: all)
        #expect(added)
        all.append(Self.report("R106250"))
        #expect(table.slotCount == 212_500)
        for i in stride(from: 0, to: all.count, by: 997) { #expect(table.position(of: "R\(i)", in: all) == Int32(i)) }
        #expect(table.count == 106_251)
    }
}
