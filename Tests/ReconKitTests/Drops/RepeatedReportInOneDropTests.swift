import Foundation
import Testing
@testable import ReconKit

/// SPEC §2: a report_id already ingested with the same values (compared as parsed) is skipped
/// and counted, with other values an error — also when the earlier row is in the same drop,
/// as it is when it is in an earlier drop or in another drop of the same batch.
@Suite("Drops — a report repeated inside one usage drop (SPEC §2)")
struct RepeatedReportInOneDropTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
    static let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
    /// Line 4 repeats line 3 as parsed: 10:00Z is 10:00:00+00:00, and an empty urgency is routine.
    static let sameTwice = header + "R5,2026-03-02T09:00:00Z,C1,D1,CT,1,stat\n"
        + "R6,2026-03-01T10:00Z,C1,D1,CT,2,routine\nR6,2026-03-01T10:00:00+00:00,C1,D1,CT,2,\n"
    /// Line 3 gives R7 other images than line 2.
    static let changedTwice = header + "R7,2026-03-01T10:00Z,C1,D1,CT,2,routine\nR7,2026-03-01T10:00Z,C1,D1,CT,3,routine\n"

    /// A site knowing client C1 and radiologist D1, holding `reports`.
    func state(holding reports: [Report] = []) -> SiteState {
        var s = SiteState(name: "s", base: Fixture.inr, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
        s.pricing.clients["C1"] = Fixture.client("C1")
        s.pricing.radiologists["D1"] = Fixture.radiologist("D1")
        s.add(reports)
        return s
    }

    func verdict(_ text: String, in state: SiteState) throws -> DropValidator.Verdict {
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        let o = Array(text.utf8).withUnsafeBytes { parser.parse($0, kind: .usage) }
        #expect(o.problems.isEmpty, "\(o.problems.reportLines)")
        return try DropValidator(state: state, columns: o.columns).check(try #require(o.rows))
    }

    @Test func aRowRepeatingAnEarlierRowOfItsDropIsSkippedAndCounted() throws {
        guard case .accept(.usage(let fresh), let skipped) = try verdict(Self.sameTwice, in: state()) else {
            Issue.record("not accepted"); return
        }
        // R5 and R6 as line 3 gives it; line 4 is the one skipped.
        #expect(fresh.map(\.id) == ["R5", "R6"] && fresh.map(\.line) == [2, 3])
        #expect(skipped == 1)
    }

    /// A report whose id has a flag id's shape, taken by an earlier version, repeated with the
    /// same values by the next cumulative export: the drop was rejected, and its advice (give
    /// the report another id) would have billed the report twice. It is skipped, as any
    /// repeated report is; a new report so named is still refused.
    @Test func aFlagShapedReportTakenBeforeIsSkippedWhenRepeated() throws {
        let parser = DropParser(zone: SiteTimeZone(identifier: "UTC")!, baseCurrency: Fixture.inr)
        let first = Array((Self.header + "HARD-0123456789,2026-03-01T10:00Z,C1,D1,CT,2,routine\n").utf8)
            .withUnsafeBytes { parser.parse($0, kind: .usage) }
        guard case .usage(let taken)? = first.rows else { Issue.record("no rows"); return }
        let text = Self.header + "HARD-0123456789,2026-03-01T10:00Z,C1,D1,CT,2,routine\nN1,2026-03-02T10:00Z,C1,D1,CT,2,routine\n"
        guard case .accept(.usage(let fresh), let skipped) = try verdict(text, in: state(holding: taken)) else {
            Issue.record("not accepted"); return
        }
        #expect(fresh.map(\.id) == ["N1"] && skipped == 1)
        guard case .reject(let problems) = try verdict(text, in: state()) else { Issue.record("not rejected"); return }
        #expect(problems.reportLines.first?.hasPrefix("line 2, column 1 (report_id): HARD-0123456789 has the shape of a flag id") == true,
                "\(problems.reportLines)")
    }

    @Test func aRowGivingAnEarlierRowsReportOtherValuesIsAnErrorNamingBothLines() throws {
        guard case .reject(let problems) = try verdict(Self.changedTwice, in: state()) else { Issue.record("not rejected"); return }
        #expect(problems.reportLines == ["line 3, column 1 (report_id): report R7 appears twice in this drop with other values "
            + "(image_count 2 on line 2, 3 here); a report_id is unique"])
    }

    /// The validator hashes a drop's ids 65,536 at a time before it looks them up: a repeat
    /// is found across those blocks as within one, judged against the row that first named
    /// it, and the problems come in line order.
    @Test func repeatsAcrossTheValidatorsBlocksOfIdsAreFoundLikeAnyOther() throws {
        func row(_ i: Int, images: Int = 1) -> String { "B\(i),2026-03-\(String(format: "%02d", 1 + i % 28))T10:00:00Z,C1,D1,CT,\(images),routine" }
        var rows = (0..<70_000).map { row($0) }
        rows[65_540] = row(10)                  // the same values as line 12, from the second block
        rows[66_000] = row(65_535, images: 2)   // other values than line 65,537, the first block's last row
        rows[69_999] = row(65_536, images: 3)   // other values than line 65,538, the second block's first row
        guard case .reject(let problems) = try verdict(Self.header + rows.joined(separator: "\n") + "\n", in: state()) else {
            Issue.record("not rejected"); return
        }
        #expect(problems.reportLines == [
            "line 66002, column 1 (report_id): report B65535 appears twice in this drop with other values "
                + "(image_count 1 on line 65537, 2 here); a report_id is unique",
            "line 70001, column 1 (report_id): report B65536 appears twice in this drop with other values "
                + "(image_count 1 on line 65538, 3 here); a report_id is unique",
        ])
        rows[66_000] = row(66_000)
        rows[69_999] = row(69_999)
        guard case .accept(.usage(let fresh), let skipped) = try verdict(Self.header + rows.joined(separator: "\n") + "\n", in: state()) else {
            Issue.record("not accepted"); return
        }
        #expect(skipped == 1)
        #expect(fresh.count == 69_999 && !fresh.contains { $0.line == 65_542 })
    }

    /// R6 held already, and twice in the drop with its values: both rows are skipped.
    @Test func aHeldReportRepeatedTwiceInADropIsSkippedTwice() throws {
        let held = Fixture.report("R6", "2026-03-01T10:00:00Z", client: "C1", rad: "D1", images: 2)
        guard case .accept(.usage(let fresh), let skipped) = try verdict(Self.sameTwice, in: state(holding: [held])) else {
            Issue.record("not accepted"); return
        }
        #expect(fresh.map(\.id) == ["R5"])
        #expect(skipped == 2)
    }

    /// What the user sees: the drop accepted with the repeat counted (in the log and in
    /// `--json`), the ledger verifying, and a changed repeat rejected with both lines named.
    @Test func anIngestTakesTheRowOnceAndSaysSo() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "repeats", "--base-currency", "INR"], env: Self.env).code == 0)
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City,INR,std,2020-01-01,10\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,g,1\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)

        try site.drop("usage-03.csv", Self.sameTwice)
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains("usage-03.csv: accepted 2 usage rows, skipped 1 already recorded with the same values"), "\(ingest.err)")
        // The ledger's replay of the archived drop gives the same two reports.
        #expect(try site.recon(["verify"]).code == 0)
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)\(audit.err)") }

        try site.drop("usage-03b.csv", Self.header + "R8,2026-03-03T10:00Z,C1,D1,MR,1,\nR8,2026-03-03T10:00Z,C1,D1,MR,1,routine\n")
        let json = try site.recon(["ingest", "--json"], env: Self.env)
        #expect(json.code == 0, "\(json.err)")
        let outcome = try #require((try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])?.first)
        #expect(outcome["outcome"] as? String == "accepted" && outcome["rows"] as? Int == 1 && outcome["skipped"] as? Int == 1, "\(json.out)")

        try site.drop("usage-04.csv", Self.changedTwice)
        let changed = try site.recon(["ingest"], env: Self.env)
        #expect(changed.code == 2)
        #expect(try site.read("Inbox/rejected/usage-04.csv.errors.txt").contains(
            "line 3, column 1 (report_id): report R7 appears twice in this drop with other values (image_count 2 on line 2, 3 here)"))
    }
}
