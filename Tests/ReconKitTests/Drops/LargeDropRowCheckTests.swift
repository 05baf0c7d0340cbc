import Foundation
import Testing
@testable import ReconKit

/// A usage drop of 65,536 rows or more has its parties and months checked on another core
/// while its ids are looked up (``UsageRowCheck``): what it says must be what the row-by-row
/// check says — the same problems in line order, counted beyond the listed thousand, the
/// closed months it would wait for — and a drop repeating held reports is judged row by row.
@Suite("Drops — a large usage drop's parties and months, checked beside its ids")
struct LargeDropRowCheckTests {
    static let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"

    /// A site knowing client C1 and radiologist D1, holding `reports`, with `closed` closed.
    func state(holding reports: [Report] = [], closed: Period? = nil) -> SiteState {
        var s = SiteState(name: "s", base: Fixture.inr, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
        s.pricing.clients["C1"] = Fixture.client("C1")
        s.pricing.radiologists["D1"] = Fixture.radiologist("D1")
        s.add(reports)
        if let closed {
            s.apply(.periodClosed(.init(period: closed, documents: [], stats: .array([]), margins: .array([]))), seq: 9, at: "2026-04-01T00:00:00Z")
        }
        return s
    }

    /// Row `i` (line `i + 2`): report `L<i>` of C1 read by D1 in March 2026, unless told otherwise.
    func row(_ i: Int, client: String = "C1", radiologist: String = "D1", day: String? = nil, images: Int = 1) -> String {
        "L\(i),\(day ?? "2026-03-\(String(format: "%02d", 1 + i % 28))")T10:00:00Z,\(client),\(radiologist),CT,\(images),routine"
    }

    func verdict(_ rows: [String], in state: SiteState) throws -> DropValidator.Verdict {
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        let o = Array((Self.header + rows.joined(separator: "\n") + "\n").utf8).withUnsafeBytes { parser.parse($0, kind: .usage) }
        #expect(o.problems.isEmpty, "\(o.problems.reportLines)")
        let rows = try #require(o.rows)
        #expect(rows.rowCount >= DropValidator.rowsCheckedBeside)
        return try DropValidator(state: state, columns: o.columns).check(rows)
    }

    @Test func unknownPartiesAreNamedInLineOrderWithTheirColumns() throws {
        var rows = (0..<70_000).map { row($0) }
        rows[3] = row(3, client: "C9")
        rows[40_000] = row(40_000, radiologist: "D7")
        rows[69_000] = row(69_000, client: "C9", radiologist: "D7")
        guard case .reject(let problems) = try verdict(rows, in: state()) else { Issue.record("not rejected"); return }
        #expect(problems.reportLines == [
            "line 5, column 3 (client_id): unknown client \"C9\"; drop a clients file naming it first",
            "line 40002, column 4 (radiologist_id): unknown radiologist \"D7\"; drop a radiologists file naming it first",
            "line 69002, column 3 (client_id): unknown client \"C9\"; drop a clients file naming it first",
            "line 69002, column 4 (radiologist_id): unknown radiologist \"D7\"; drop a radiologists file naming it first",
        ])
    }

    /// 1,500 rows of an unknown client: a thousand listed, the other 500 counted.
    @Test func problemsBeyondTheListedThousandAreCounted() throws {
        var rows = (0..<70_000).map { row($0) }
        for i in 10_000..<11_500 { rows[i] = row(i, client: "C9") }
        guard case .reject(let problems) = try verdict(rows, in: state()) else { Issue.record("not rejected"); return }
        #expect(problems.total == 1_500)
        #expect(problems.reportLines.count == 1_001)
        #expect(problems.reportLines.first == "line 10002, column 3 (client_id): unknown client \"C9\"; drop a clients file naming it first")
        #expect(problems.reportLines.last == "… and 500 more problems not listed")
    }

    @Test func aDropTouchingAClosedMonthWaitsForItsRerun() throws {
        var rows = (0..<70_000).map { row($0) }
        rows[50_000] = row(50_000, day: "2026-02-27")
        guard case .held(let periods) = try verdict(rows, in: state(closed: Period(year: 2026, month: 2))) else {
            Issue.record("not held"); return
        }
        #expect(periods == [Period(year: 2026, month: 2)])
        // Without that row, nothing of February: accepted whole.
        rows[50_000] = row(50_000)
        guard case .accept(.usage(let fresh), 0) = try verdict(rows, in: state(closed: Period(year: 2026, month: 2))) else {
            Issue.record("not accepted"); return
        }
        #expect(fresh.count == 70_000)
    }

    /// Rows repeating held reports are judged row by row: a row's unknown party is said before
    /// the report it changes, a repeated row's month does not count (the February report
    /// held already is skipped, so the drop does not wait for February's rerun).
    @Test func aDropRepeatingHeldReportsIsJudgedRowByRow() throws {
        let parser = DropParser(zone: SiteTimeZone(identifier: "UTC")!, baseCurrency: Fixture.inr)
        let earlier = Array((Self.header + row(7) + "\n" + row(8, day: "2026-02-27") + "\n").utf8)
            .withUnsafeBytes { parser.parse($0, kind: .usage) }
        guard case .usage(let held)? = earlier.rows else { Issue.record("the earlier rows did not parse"); return }
        var rows = (0..<70_000).map { row($0) }
        rows[8] = row(8, day: "2026-02-27")  // the same as held: skipped, February not touched
        rows[7] = row(7, radiologist: "D7", images: 2)
        let site = state(holding: held, closed: Period(year: 2026, month: 2))
        guard case .reject(let problems) = try verdict(rows, in: site) else { Issue.record("not rejected"); return }
        #expect(problems.reportLines == [
            "line 9, column 4 (radiologist_id): unknown radiologist \"D7\"; drop a radiologists file naming it first",
            "line 9, column 1 (report_id): report L7 was ingested before with other values (radiologist_id D1 then, D7 now; "
                + "image_count 1 then, 2 now); a report_id is unique forever — correct it with a decision or a credit note, not a new row",
        ])
        rows[7] = row(7)
        guard case .accept(.usage(let fresh), let skipped) = try verdict(rows, in: site) else { Issue.record("not accepted"); return }
        #expect(skipped == 2)
        #expect(fresh.count == 69_998)
    }
}
