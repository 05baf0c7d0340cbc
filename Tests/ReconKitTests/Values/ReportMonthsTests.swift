import Testing

@testable import ReconKit

/// Reports added to a state are listed under their month, in the order they are held, also
/// when a drop's rows go back and forth between months, and whether or not the id index is
/// kept (the bulk path and the one that checks each id).
@Suite("Reports by month")
struct ReportMonthsTests {
    typealias F = Fixture

    @Test(arguments: [false, true]) func positionsGoToTheirMonthsInOrder(indexed: Bool) throws {
        var state = SiteState(name: "s", base: F.inr, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
        state.add([F.report("a", "2026-01-31T23:59Z")], dedupe: false)
        if indexed { _ = state.reportPositions }
        // Positions 1–6: Jan, Feb, Feb, Jan, Mar, Jan.
        state.add([F.report("b", "2026-02-01T00:00Z"), F.report("c", "2026-02-14T10:00Z"), F.report("d", "2026-01-02T10:00Z"),
                   F.report("e", "2026-03-01T10:00Z"), F.report("f", "2026-01-20T10:00Z")], dedupe: false)
        #expect(state.periodReports[Period("2026-01")!] == [0, 3, 5])
        #expect(state.periodReports[Period("2026-02")!] == [1, 2])
        #expect(state.periodReports[Period("2026-03")!] == [4])
        #expect(state.periodReports.count == 3)
        #expect(state.reports.map(\.id) == ["a", "b", "c", "d", "e", "f"])
    }
}
