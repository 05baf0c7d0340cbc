import ReconDemo
import Foundation
import Testing

@testable import ReconKit

/// The soft gate: features built from history, context by peer group, flags and their ids.
struct SoftGateTests {
    // MARK: features

    @Test func featuresAgainstTheOwnBaseline() throws {
        // Three ordinary months (3 images per case, margin 40 %), then April: 200 reports,
        // 1,000 images, revenue 300,000, cost 240,000.
        let history = [
            client("C1", "2026-01", reports: 100, images: 300, revenue: 100_000, cost: 60_000),
            client("C1", "2026-02", reports: 120, images: 360, revenue: 120_000, cost: 72_000),
            client("C1", "2026-03", reports: 90, images: 270, revenue: 90_000, cost: 54_000),
            client("C1", "2026-04", reports: 200, images: 1000, revenue: 300_000, cost: 240_000),
        ]
        let rows = FeatureBuilder.rows(history: history, through: "2026-04", minimumReports: 20)
        #expect(rows.map(\.period) == ["2026-01", "2026-02", "2026-03", "2026-04"])
        let first = rows[0]
        #expect(first.changes.isEmpty)
        #expect(first.values[.volumeGrowth] == nil)
        let april = rows[3]
        #expect(april.values[.imagesPerCase] == 5)
        #expect(april.values[.costPerCase] == 1200)
        #expect(april.values[.revenuePerCase] == 1500)
        #expect(abs((april.values[.margin] ?? 0) - 0.2) < 1e-12)
        // Baseline: median of 3, 3, 3 images per case; median of 100, 120, 90 reports.
        #expect(april.baseline[.imagesPerCase] == 3)
        #expect(april.baseline[.volumeGrowth] == 100)
        #expect(april.values[.volumeGrowth] == 2)
        #expect(abs((april.changes[.imagesPerCase] ?? 0) - log(5.0 / 3.0)) < 1e-12)
        #expect(abs((april.changes[.volumeGrowth] ?? 0) - log(201.0 / 101.0)) < 1e-12)
        // Log markup ln(revenue / cost): ln(1.25) now against ln(1 / 0.6) before.
        #expect(abs((april.changes[.margin] ?? 0) - (log(1.25) - log(1 / 0.6))) < 1e-12)
    }

    @Test func aMonthWithoutReportsCountsAsZeroAndDuplicatesAdd() {
        let history = [
            client("C1", "2026-01", reports: 100, images: 300, revenue: 1000, cost: 500),
            client("C1", "2026-03", reports: 60, images: 180, revenue: 600, cost: 300),
            client("C1", "2026-03", reports: 40, images: 120, revenue: 400, cost: 200),
            client("C1", "2026-05", reports: 100, images: 300, revenue: 1000, cost: 500),
        ]
        let rows = FeatureBuilder.rows(history: history, through: "2026-09", minimumReports: 20)
        #expect(rows.map(\.reports) == [100, 100, 100])
        // March: baseline median(100, 0) = 50. May: median(0, 100, 0) = 0, so growth is
        // against nothing and reads as the report count.
        #expect(rows[1].baseline[.volumeGrowth] == 50)
        #expect(rows[1].values[.volumeGrowth] == 2)
        #expect(rows[2].baseline[.volumeGrowth] == 0)
        #expect(rows[2].values[.volumeGrowth] == 100)
        #expect(FeatureBuilder.rows(history: history, through: "2026-13", minimumReports: 20).isEmpty)
    }

    // MARK: planted scenario

    @Test func plantedSuspiciousCasesAreFlaggedAndYoungGrowthIsNot() throws {
        let cases = PlantedCases(configuration: .small)
        let config = SoftGateConfig(minimumPeerRows: 10)
        for plant in cases.plants {
            let assessment = try #require(
                SoftGate.assess(history: cases.history, period: plant.period, config: config)
                    .first { $0.party == plant.party && $0.partyId == plant.partyId })
            if plant.kind.isSuspicious {
                #expect(assessment.flag != nil, "\(plant.kind) \(plant.partyId) \(plant.period) scored \(assessment.score)")
            } else {
                // Judged among young clients, for whom a tenfold second month is ordinary; the
                // late starter's ramp from a pilot of 2 and 5 reports is not read as growth.
                if plant.kind == .youngClientGrowth { #expect(assessment.peers == "clients in their first 12 months") }
                #expect(assessment.flag == nil, "\(plant.kind) \(plant.partyId) \(plant.period): \(assessment.flag?.reason ?? "")")
            }
        }
        let ratio = try #require(cases.plants.first { $0.kind == .matureRatioSpike })
        let flag = try #require(
            SoftGate.evaluate(history: cases.history, period: ratio.period, config: config).first { $0.subject == ratio.partyId })
        #expect(flag.code == "SOFT_IMAGES_PER_CASE")
        #expect(flag.reason.hasPrefix("High images per case: "))
        #expect(flag.reason.contains("; middle half of clients aged 12 months or more: "))
        #expect(flag.score.count == 6 && flag.score.hasPrefix("0."))
        #expect(flag.measures.map(\.name) == FeatureBuilder.Feature.measures(for: .client).map(\.rawValue))
    }

    /// Thirty mature clients at 2.9–3.1 images per case for three months; C03's January held
    /// one huge case (4.4 a case), February 3.3, and March is back to 3.0. Its own two months
    /// put its baseline at 3.85, so March "fell" by a quarter — but 3.0 lies inside its peers'
    /// middle half: typical, never a flag (it was flagged "Low images per case: 3.0, down from
    /// 3.9", quoting a middle half of 2.9–3.1 that holds it). C07, whose images per case fall
    /// to 2.0, below its peers, still is.
    @Test func aMonthBackInsideItsPeersMiddleHalfIsNotFlagged() throws {
        var history: [PartyPeriodStats] = []
        for (m, period) in ["2026-01", "2026-02", "2026-03"].enumerated() {
            for k in 1...30 {
                var images = 290 + (k * 7 + m * 3) % 21
                if k == 3 { images = [440, 330, 300][m] }
                if k == 7 && m == 2 { images = 200 }
                history.append(PartyPeriodStats(party: .client, partyId: "C\(k < 10 ? "0" : "")\(k)", period: period, ageMonths: 48 + m,
                                                reports: 100, images: images, revenueBase: 10_000, costBase: 4_000))
            }
        }
        let flags = SoftGate.evaluate(history: history, period: "2026-03", config: SoftGateConfig())
        #expect(!flags.contains { $0.subject == "C03" }, "\(flags.map(\.reason))")
        let c07 = try #require(flags.first { $0.subject == "C07" }, "\(flags.map(\.reason))")
        #expect(c07.reason.hasPrefix("Low images per case: 2.0"), "\(c07.reason)")
    }

    @Test func theSameGrowthJudgedAmongMatureClientsIsFlagged() throws {
        // Context is what spares the young client: with no young group (every account
        // counted as mature), its tenfold second month is flagged.
        let cases = PlantedCases(configuration: .small)
        let young = try #require(cases.plants.first { $0.kind == .youngClientGrowth })
        let flags = SoftGate.evaluate(history: cases.history, period: young.period, config: SoftGateConfig(youngMonths: 0))
        let flag = try #require(flags.first { $0.subject == young.partyId })
        #expect(flag.code == "SOFT_VOLUME_GROWTH")
        // Its own baseline is its one month before (it said "own last 3 months 10–10 reports").
        #expect(flag.reason.hasPrefix("High volume growth: ×10.00, 100 reports against 10, its own last month (own last month 10 reports; middle half of"),
                "\(flag.reason)")
    }

    /// A month still running is judged at its pace: its reason said "×7.31, 25 reports against
    /// 53" (a fall, read as a rise). It names the count so far and the month's pace beside it.
    @Test func aRunningMonthsGrowthReasonNamesItsPace() throws {
        let cases = PlantedCases(configuration: .small)
        let young = try #require(cases.plants.first { $0.kind == .youngClientGrowth })
        // Half the month gone: the same 100 reports are a pace of 200 against 10.
        let history = cases.history.map { s -> PartyPeriodStats in
            var s = s
            if s.period == young.period { s.elapsed = 0.5 }
            return s
        }
        let flags = SoftGate.evaluate(history: history, period: young.period, config: SoftGateConfig(youngMonths: 0))
        let flag = try #require(flags.first { $0.subject == young.partyId })
        #expect(flag.reason.hasPrefix("High volume growth: ×20.00, 100 reports so far, 200 at this pace for the month, against 10, its own last month ("),
                "\(flag.reason)")
    }

    /// Growth from a month of no reports said "×100.00, 100 reports against 0": a ratio against
    /// none is no measure. It says "from none".
    @Test func growthFromNoReportsIsSaidFromNone() throws {
        let cases = PlantedCases(configuration: .small)
        let young = try #require(cases.plants.first { $0.kind == .youngClientGrowth })
        let history = cases.history.map { s -> PartyPeriodStats in
            var s = s
            if s.partyId == young.partyId && s.period < young.period { (s.reports, s.images) = (0, 0) }
            return s
        }
        let flags = SoftGate.evaluate(history: history, period: young.period, config: SoftGateConfig(youngMonths: 0))
        let flag = try #require(flags.first { $0.subject == young.partyId && $0.code == "SOFT_VOLUME_GROWTH" }, "\(flags.map(\.reason))")
        #expect(flag.reason.hasPrefix("High volume growth: from none, 100 reports against none in its own last month"), "\(flag.reason)")
    }

    @Test func aTenfoldMonthLateInTheFirstYearIsNotFlagged() throws {
        // SPEC §4: a young client that grows tenfold is ordinary — also once its volume had
        // settled for a few months: growth is not judged in the first year (the jump stays
        // visible on the review's measures; the other ratios are still read).
        let cases = PlantedCases(configuration: .small)
        let young = try #require(cases.plants.first { $0.kind == .youngClientGrowth })
        let last = try #require(cases.periods.last)
        var history = cases.history
        let index = try #require(history.firstIndex { $0.partyId == young.partyId && $0.period == last })
        history[index].reports *= 10
        history[index].images *= 10
        history[index].revenueBase *= 10
        history[index].costBase *= 10
        let assessment = try #require(
            SoftGate.assess(history: history, period: last, config: SoftGateConfig(minimumPeerRows: 10))
                .first { $0.partyId == young.partyId })
        #expect(assessment.peers == "clients in their first 12 months")
        #expect(assessment.flag == nil, "\(String(describing: assessment.flag))")
        // The same jump by a mature client is flagged.
        let mature = try #require(cases.plants.first { $0.kind == .matureVolumeSpike })
        let spiked = try #require(SoftGate.assess(history: cases.history, period: mature.period,
                                                  config: SoftGateConfig(minimumPeerRows: 10)).first { $0.partyId == mature.partyId })
        #expect(spiked.flag?.code == "SOFT_VOLUME_GROWTH")
    }

    @Test func normalPartyPeriodsAreRarelyFlagged() {
        let cases = PlantedCases(configuration: .small)
        let planted = Set(cases.plants.map { "\($0.partyId) \($0.period)" })
        var judged = 0
        var flagged = 0
        for period in cases.periods {
            for assessment in SoftGate.assess(history: cases.history, period: period)
            where !planted.contains("\(assessment.partyId) \(assessment.period)") {
                judged += 1
                if assessment.flag != nil { flagged += 1 }
            }
        }
        #expect(judged > 150)
        #expect(Double(flagged) <= 0.03 * Double(judged))
    }

    // MARK: determinism and ids

    @Test func theSameInputsGiveTheSameFlagsInAnyOrder() throws {
        let cases = PlantedCases(configuration: .small)
        let period = try #require(cases.plants.first { $0.kind == .matureVolumeSpike }).period
        let first = SoftGate.evaluate(history: cases.history, period: period)
        let again = SoftGate.evaluate(history: cases.history, period: period)
        var generator = SeededGenerator(seed: 5)
        var shuffled = cases.history
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, generator.nextInt(below: i + 1)) }
        #expect(!first.isEmpty)
        #expect(first == again)
        #expect(SoftGate.evaluate(history: shuffled, period: period) == first)
        // Later periods never change an earlier verdict.
        let upToPeriod = cases.history.filter { $0.period <= period }
        #expect(SoftGate.evaluate(history: upToPeriod, period: period) == first)
    }

    @Test func flagIdsAreStable() {
        // SHA-256("SOFT_VOLUME_GROWTH|client|C001|2025-01") begins fe1191429b.
        #expect(SoftFlag.id(code: "SOFT_VOLUME_GROWTH", party: .client, subject: "C001", period: "2025-01") == "SOFT-fe1191429b")
        #expect(SoftFlag.id(code: "SOFT_IMAGES_PER_CASE", party: .radiologist, subject: "R007", period: "2026-02") == "SOFT-3d33ccdae2")
        let flag = SoftFlag(
            code: "SOFT_VOLUME_GROWTH", party: .client, subject: "C001", period: "2025-01", score: 0.73126,
            reason: "r", measures: [])
        #expect(flag.id == "SOFT-fe1191429b")
        #expect(flag.score == "0.7313")
        // SPEC §6: decimals in the ledger carry no trailing zeros.
        #expect(SoftFlag.scoreText(0.82497) == "0.825" && SoftFlag.scoreText(0.8) == "0.8" && SoftFlag.scoreText(1) == "1")
    }

    @Test func nothingIsJudgedBeforeEnoughHistory() {
        let cases = PlantedCases(configuration: .small)
        #expect(SoftGate.assess(history: cases.history, period: cases.periods[1]).isEmpty)
        #expect(!SoftGate.assess(history: cases.history, period: cases.periods[2]).isEmpty)
    }

    /// A small site was judged by nobody while its review said "No flags": the coverage says
    /// how many parties the gate judged (exactly those ``SoftGate/assess`` scores) and why not the rest.
    @Test func coverageCountsWhatTheGateJudgesAndSaysWhyNotTheRest() {
        let cases = PlantedCases(configuration: .small)
        for period in cases.periods {
            let assessed = SoftGate.assess(history: cases.history, period: period)
            for c in SoftGate.coverage(history: cases.history, period: period) {
                #expect(c.judged == assessed.filter { $0.party == c.party }.count, "\(period) \(c.party)")
            }
        }
        // Three mature clients, six steady months, then one's images per case tripling in July:
        // 3 × 6 = 18 client-months after a first one, fewer than the 24 the gate compares among.
        var history: [PartyPeriodStats] = []
        for m in 1...7 {
            for c in 1...3 { history.append(client("C\(c)", "2026-0\(m)", reports: 40, images: m == 7 && c == 2 ? 480 : 160, revenue: 4000, cost: 2000)) }
        }
        #expect(SoftGate.assess(history: history, period: "2026-07").isEmpty)
        #expect(SoftGate.coverage(history: history, period: "2026-07") == [
            .init(party: .client, parties: 3, judged: 0, reasons: [
                "3 not compared: the history holds 18 client-months after a first one, and the gate needs 24 to compare a client with its peers",
            ]),
        ])
        // Two months of history: nothing is judged before the third.
        #expect(SoftGate.coverage(history: history, period: "2026-02") == [
            .init(party: .client, parties: 3, judged: 0, reasons: [
                "the history holds 2 months with at least 20 reports from a party; the gate judges from 3",
            ]),
        ])
    }

    private func client(_ id: String, _ period: String, reports: Int, images: Int, revenue: Double, cost: Double) -> PartyPeriodStats {
        PartyPeriodStats(
            party: .client, partyId: id, period: period, ageMonths: 40, reports: reports, images: images,
            revenueBase: revenue, costBase: cost)
    }
}
