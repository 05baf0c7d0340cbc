import ReconDemo
import Foundation
import Testing
import TestSupport

@testable import ReconKit

/// Soft findings read fairly: growth against age, month-to-date volume per elapsed day,
/// reasons with ranges a reviewer can use, and one finding one flag.
struct SoftFindingTests {
    /// The planted history plus one more young client onboarded on the 8th of its first
    /// month, with 2, 5, 44 and 50 reports in its first four months (ages 0–3).
    static func historyWithLateStarter() -> (history: [PartyPeriodStats], periods: [String]) {
        let cases = PlantedCases(configuration: .small)
        var history = cases.history
        let start = cases.periods.count - 4
        for (k, reports) in [2, 5, 44, 50].enumerated() {
            history.append(PartyPeriodStats(
                party: .client, partyId: "Y-LATE", period: cases.periods[start + k], ageMonths: k, reports: reports,
                images: reports * 3, revenueBase: Double(reports) * 900, costBase: Double(reports) * 500))
        }
        return (history, Array(cases.periods[start...]))
    }

    @Test func aYoungClientRampingUpFromAPilotIsNotFlagged() throws {
        // Month 3 grew from a pilot of 5 (not a base to read growth from: under the 20
        // reports a ratio needs); month 4 grew 14% on month 3 (50 / 44 = 1.136).
        let (history, periods) = Self.historyWithLateStarter()
        for period in periods {
            for config in [SoftGateConfig(), SoftGateConfig(minimumPeerRows: 10)] {
                let flag = SoftGate.evaluate(history: history, period: period, config: config).first { $0.subject == "Y-LATE" }
                #expect(flag == nil, "\(period): \(flag?.reason ?? "")")
            }
        }
        let rows = FeatureBuilder.rows(history: history, through: periods[3], minimumReports: 20)
        let month4 = try #require(rows.first { $0.partyId == "Y-LATE" && $0.period == periods[3] })
        // Its baseline is its previous month alone, not a median that still holds the ramp.
        #expect(month4.baseline[.volumeGrowth] == 44)
        #expect(abs(month4.values[.volumeGrowth]! - 50.0 / 44.0) < 1e-12)
    }

    @Test func aMonthStillRunningIsComparedPerElapsedDay() throws {
        // 100 reports a month for three months; on the 8th of a 31-day month, 26 reports so
        // far: 26 / (8/31) = 100.75 a month, growth ×1.0075, not a fall to ×0.26.
        var history: [PartyPeriodStats] = []
        for (k, period) in ["2026-01", "2026-02", "2026-03", "2026-04"].enumerated() {
            var s = PartyPeriodStats(party: .client, partyId: "C1", period: period, ageMonths: 40, reports: k == 3 ? 26 : 100,
                                     images: k == 3 ? 78 : 300, revenueBase: 1000, costBase: 500)
            if k == 3 { s.elapsed = AuditorRun.elapsedFraction(of: Period("2026-03")!, today: LocalDate(year: 2026, month: 3, day: 8)!) }
            history.append(s)
        }
        #expect(history[3].elapsed == 8.0 / 31.0)
        let row = try #require(FeatureBuilder.rows(history: history, through: "2026-04", minimumReports: 20).last)
        #expect(abs(row.values[.volumeGrowth]! - 26.0 * 31.0 / 8.0 / 100.0) < 1e-12)
        #expect(AuditorRun.elapsedFraction(of: Period("2026-02")!, today: LocalDate(year: 2026, month: 3, day: 8)!) == 1)
    }

    @Test func reasonsGiveTheOwnRangeAndThePeersMiddleHalf() throws {
        let cases = PlantedCases(configuration: .small)
        let spike = try #require(cases.plants.first { $0.kind == .matureRatioSpike })
        let flag = try #require(SoftGate.evaluate(history: cases.history, period: spike.period, config: SoftGateConfig(minimumPeerRows: 10))
            .first { $0.subject == spike.partyId })
        #expect(flag.reason.hasPrefix("High images per case: "))
        #expect(flag.reason.contains("(own last 3 months "))
        #expect(flag.reason.contains("; middle half of clients aged 12 months or more: "))
        // The middle half is the interquartile range of the measure among the peers.
        let measure = try #require(flag.measures.first { $0.name == "images_per_case" })
        #expect(flag.reason.hasSuffix(String(format: "%.1f–%.1f)", measure.typicalLow, measure.typicalHigh)))
    }

    /// March: D1 reads 10 of C1's reports, D2 10 of C2's, D3 10 of C2's. April: C1 10 more
    /// (D1); C7 arrives with 60 reports, 50 read by D1 (moved: 50 of D1's 50 new reports, all
    /// C7's) and 10 by D2; D2 10 of C2's; D3 reads 40 more of C2's (C2 not flagged).
    static func twoMonths() -> (march: [Report], april: [Report]) {
        var march: [Report] = [], april: [Report] = []
        func add(_ n: Int, _ month: Int, _ client: String, _ rad: String) {
            for _ in 0..<n {
                let r = Report(id: "R\(march.count + april.count)", reportedAt: Timestamp(nanoseconds: 0),
                               localDate: LocalDate(year: 2026, month: month, day: 5)!, clientId: client, radiologistId: rad,
                               modality: "CT", imageCount: 3, urgency: .routine)
                if month == 3 { march.append(r) } else { april.append(r) }
            }
        }
        add(10, 3, "C1", "D1"); add(10, 3, "C2", "D2"); add(10, 3, "C2", "D3")
        add(10, 4, "C1", "D1"); add(50, 4, "C7", "D1"); add(10, 4, "C7", "D2"); add(10, 4, "C2", "D2"); add(50, 4, "C2", "D3")
        return (march, april)
    }

    /// April's findings on C7, D1 and D3 explained: D1's change is C7's from the other side
    /// and is listed under it; D3 keeps its own flag.
    static func expectAprilExplained(_ state: SiteState) {
        let april = Period("2026-04")!
        let flags = ["C7", "D1", "D3"].map {
            AuditFlag(id: "SOFT-" + $0, severity: .soft, code: "SOFT_VOLUME_GROWTH", subject: $0, period: april,
                      reason: "High volume growth", score: "0.7")
        }
        let out = SoftFindingDetail(state: state, period: april).explain(flags)
        #expect(out.map(\.subject) == ["C7", "D3"])
        #expect(out.first?.reason == "High volume growth; driven by CT +60 reports on the month before; read by D1")
        #expect(out.last?.reason == "High volume growth; driven by C2 +40 reports on the month before")
    }

    /// D1 read C1's 25 reports a month at 3 images (75 images). In April it reads them as ever
    /// and 3 reports at 14 images from each of C2…C6: its ratio rises from 3.0 to 7.1 (75 + 5 ×
    /// 42 = 285 images over 25 + 15 = 40 reports). Ranked by images, C1 (75) came first
    /// and drove nothing; the drivers are the clients above D1's 3.0 of March: each 42 − 3 × 3
    /// = 33 images beyond it, three named and two more counted.
    @Test func aRatiosDriversAreTheGroupsThatMovedIt() throws {
        var march: [Report] = [], april: [Report] = []
        func add(_ n: Int, _ month: Int, _ client: String, images: Int32) {
            for _ in 0..<n {
                let r = Report(id: "R\(march.count + april.count)", reportedAt: Timestamp(nanoseconds: 0),
                               localDate: LocalDate(year: 2026, month: month, day: 5)!, clientId: client, radiologistId: "D1",
                               modality: "CT", imageCount: images, urgency: .routine)
                if month == 3 { march.append(r) } else { april.append(r) }
            }
        }
        add(25, 3, "C1", images: 3); add(25, 4, "C1", images: 3)
        for c in ["C2", "C3", "C4", "C5", "C6"] { add(3, 4, c, images: 14) }
        var state = Self.emptyState()
        state.add(march + april)
        let april4 = Period("2026-04")!
        let flag = AuditFlag(id: "SOFT-D1", severity: .soft, code: "SOFT_IMAGES_PER_CASE", subject: "D1", period: april4,
                             reason: "High images per case: 7.1, up from 3.0", score: "0.8")
        let out = SoftFindingDetail(state: state, period: april4).explain([flag])
        #expect(out.first?.reason == "High images per case: 7.1, up from 3.0; driven by C2 (3 reports, 14.0 images per case), "
            + "C3 (3, 14.0), C4 (3, 14.0), and 2 more", "\(out.first?.reason ?? "")")
    }

    /// C1 reads 10 CT reports in March; in April 10 CT again and new XR 50, MR 40, US 30, MG 20,
    /// DX 10. Volume growth's drivers are the three that rose most, and the rest counted: two
    /// more, 20 + 10 = 30 reports (the flag named three and said nothing of the others).
    @Test func volumeGrowthsDriversCountTheRest() throws {
        var reports: [Report] = []
        func add(_ n: Int, _ month: Int, _ modality: String) {
            for _ in 0..<n {
                reports.append(Report(id: "R\(reports.count)", reportedAt: Timestamp(nanoseconds: 0),
                                      localDate: LocalDate(year: 2026, month: month, day: 5)!, clientId: "C1", radiologistId: "D1",
                                      modality: modality, imageCount: 1, urgency: .routine))
            }
        }
        add(10, 3, "CT"); add(10, 4, "CT")
        for (modality, n) in [("XR", 50), ("MR", 40), ("US", 30), ("MG", 20), ("DX", 10)] { add(n, 4, modality) }
        var state = Self.emptyState()
        state.add(reports)
        let april = Period("2026-04")!
        let flag = AuditFlag(id: "SOFT-C1", severity: .soft, code: "SOFT_VOLUME_GROWTH", subject: "C1", period: april,
                             reason: "High volume growth", score: "0.7")
        let out = SoftFindingDetail(state: state, period: april).explain([flag])
        #expect(out.first?.reason == "High volume growth; driven by XR +50 reports, MR +40, US +30, and 2 more (+30) on the month before",
                "\(out.first?.reason ?? "")")
    }

    static func emptyState() -> SiteState {
        SiteState(name: "s", base: Currency(code: "INR")!, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
    }

    @Test func aRadiologistsChangeExplainedByAFlaggedClientIsListedUnderIt() throws {
        let (march, april) = Self.twoMonths()
        var state = Self.emptyState()
        state.add(march + april)
        Self.expectAprilExplained(state)
    }

    /// The same months with March closed: its breakdown comes from its index (read a party at
    /// a time), and the findings read exactly as when March's reports were held.
    @Test func aSettledMonthBeforeExplainsAsItsReportsDid() throws {
        try withTemporaryFolder { dir in
            let (march, april) = Self.twoMonths()
            let path = dir + "/2026-03.idx"
            let sha = try ClosedPeriodIndex.write(period: Period("2026-03")!, all: march, positions: march.indices.map { Int32($0) },
                                                  excluded: [], to: path)
            guard case .index(let index) = ClosedPeriodIndex.open(period: Period("2026-03")!, path: path, tableSha256: sha, seq: 7) else {
                Issue.record("the index does not open")
                return
            }
            var state = Self.emptyState()
            state.history.add(index)
            state.settledBreakdowns[index.period] = try index.breakdown()
            state.add(april)
            Self.expectAprilExplained(state)
            // The settled rows as made from March's reports.
            let kept = try index.breakdown()
            #expect(kept["radiologist|D3"]?["C2"]?.reports == 10)
            #expect(kept["client|C7"] == nil)
        }
    }
}
