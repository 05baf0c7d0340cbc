import Foundation
import Testing

@testable import ReconKit

/// A long history's feature rows: each party's are the ones it gives alone, and all come
/// in period, party and id order, whatever order the history arrives in.
struct FeatureBuilderOrderTests {
    @Test func aLongHistoryGivesEachPartyItsOwnRowsInOrder() throws {
        // 360 clients and 360 radiologists over 7 months: 5,040 party-periods. The history
        // comes newest first and radiologists before clients, so nothing is ordered by arrival.
        var history: [PartyPeriodStats] = []
        let months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
        for (m, period) in months.enumerated().reversed() {
            for k in 0..<360 {
                let reports = 40 + (k * 7 + m * 13) % 50
                history.append(PartyPeriodStats(party: .radiologist, partyId: "D\(k)", period: period, ageMonths: 20 + m,
                                                reports: reports, images: reports * (2 + k % 3), revenueBase: 0,
                                                costBase: Double(reports * 90)))
                history.append(PartyPeriodStats(party: .client, partyId: "C\(k)", period: period, ageMonths: k % 30 + m,
                                                reports: reports, images: reports * (3 + m % 2), revenueBase: Double(reports * 200),
                                                costBase: Double(reports * 120)))
            }
        }
        let rows = FeatureBuilder.rows(history: history, through: "2026-07", minimumReports: 20)
        #expect(rows.count == history.count)
        // Ordered by period, then party kind, then id.
        let keys = rows.map { (FeatureBuilder.monthIndex($0.period)!, $0.party, $0.partyId) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        // Each party's rows are those it gives on its own.
        for party in ["C0", "C17", "C359", "D0", "D200", "D359"] {
            let alone = FeatureBuilder.rows(history: history.filter { $0.partyId == party }, through: "2026-07", minimumReports: 20)
            #expect(alone.count == months.count)
            #expect(rows.filter { $0.partyId == party } == alone)
        }
        // Oldest month first, as a site's history comes: each party's months are already in
        // order (read as they are, not sorted again), and the rows are the same.
        let oldestFirst = months.flatMap { period in history.filter { $0.period == period } }
        #expect(FeatureBuilder.rows(history: oldestFirst, through: "2026-07", minimumReports: 20) == rows)
    }

    @Test func rowsOfTheSamePartyAndMonthAreAddedAmongThousandsOfOthers() throws {
        // C1's March comes in two rows (30 reports with 90 images, 20 with 60): 50 reports,
        // 3 images per case; revenue 5,000 + 3,000 over 50 reports is 160 a case.
        var history: [PartyPeriodStats] = (0..<4200).map { k in
            PartyPeriodStats(party: .radiologist, partyId: "D\(k % 700)", period: "2026-0\(1 + k / 700)", ageMonths: 24,
                             reports: 50, images: 100, revenueBase: 0, costBase: 4500)
        }
        history.append(PartyPeriodStats(party: .client, partyId: "C1", period: "2026-03", ageMonths: 14,
                                        reports: 30, images: 90, revenueBase: 5000, costBase: 2400))
        history.append(PartyPeriodStats(party: .client, partyId: "C1", period: "2026-03", ageMonths: 15,
                                        reports: 20, images: 60, revenueBase: 3000, costBase: 1600))
        let rows = FeatureBuilder.rows(history: history, through: "2026-06", minimumReports: 20)
        let march = try #require(rows.first { $0.partyId == "C1" })
        #expect(rows.filter { $0.partyId == "C1" }.count == 1)
        #expect(march.reports == 50)
        #expect(march.ageMonths == 15)
        #expect(march.values[.imagesPerCase] == 3)
        #expect(march.values[.revenuePerCase] == 160)
        #expect(march.values[.costPerCase] == 80)
        #expect(march.values[.margin] == 0.5)
    }

    /// Whether a month has a row of its own, said without building the rows (the soft gate
    /// asks it of the month being drafted first): it agrees with the rows built, including a
    /// party whose month comes in two rows that reach the minimum only added together.
    @Test func whetherAMonthHasARowAgreesWithTheRows() throws {
        func stats(_ id: String, _ period: String, _ reports: Int) -> PartyPeriodStats {
            PartyPeriodStats(party: id.hasPrefix("C") ? .client : .radiologist, partyId: id, period: period, ageMonths: 20,
                             reports: reports, images: reports * 3, revenueBase: Double(reports * 200), costBase: Double(reports * 90))
        }
        let history = ["2026-01", "2026-02", "2026-03"].flatMap { p in (0..<40).map { stats("C\($0)", p, 30 + $0) } }
        let cases: [(label: String, month: [PartyPeriodStats])] = [
            ("no reports yet", []),
            ("every party below the minimum", (0..<40).map { stats("C\($0)", "2026-04", 19) }),
            ("one party at the minimum", [stats("C3", "2026-04", 5), stats("D9", "2026-04", 20)]),
            ("one party's two rows, 12 and 8", [stats("C3", "2026-04", 12), stats("C7", "2026-04", 19), stats("C3", "2026-04", 8)]),
            ("two parties' rows, 12 and 8", [stats("C3", "2026-04", 12), stats("C7", "2026-04", 8)]),
        ]
        var answers: [Bool] = []
        for (label, month) in cases {
            let all = history + month
            let built = FeatureBuilder.rows(history: all, through: "2026-04", minimumReports: 20).contains { $0.period == "2026-04" }
            let said = FeatureBuilder.hasRow(in: all, period: "2026-04", minimumReports: 20)
            #expect(said == built, "\(label)")
            answers.append(said)
        }
        #expect(answers == [false, false, true, true, false])
        // A month with no row is judged by nobody; one with rows is judged as ever.
        let quiet = history + cases[1].month
        #expect(SoftGate.assess(history: quiet, period: "2026-04").isEmpty)
        let busy = history + (0..<40).map { stats("C\($0)", "2026-04", 30 + $0) }
        #expect(SoftGate.assess(history: busy, period: "2026-04").count == 40)
    }
}
