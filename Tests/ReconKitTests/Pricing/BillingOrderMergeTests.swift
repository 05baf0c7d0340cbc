import Testing

@testable import ReconKit

/// A client's reports held as a few runs in billing order (one a drop) are merged instead of
/// sorted: the merge must give exactly the (`reported_at`, `report_id`) order a sort gives.
@Suite("Billing order — runs merged")
struct BillingOrderMergeTests {
    /// `runs` runs of reports, each in billing order, over few times so that many share one
    /// (their order then comes from their ids); the runs interleave in time.
    static func items(runs: Int, each: Int, seed: UInt64) -> (items: [PricedItem], reports: [Report]) {
        var g = SplitMix64(seed: seed)
        var reports: [Report] = []
        var items: [PricedItem] = []
        for r in 0..<runs {
            var run: [(at: Int64, id: String)] = (0..<each).map { k in
                (Int64(g.next() % 50) * 1_000_000_000, "R\(g.next() % 100_000)-\(r)-\(k)")
            }
            run.sort { $0.at != $1.at ? $0.at < $1.at : $0.id < $1.id }
            for (at, id) in run {
                items.append(PricedItem(index: Int32(reports.count), modality: 0, radiologist: 0, day: 0, images: 1,
                                        urgency: .routine, at: at))
                reports.append(Report(id: id, reportedAt: Timestamp(nanoseconds: at), localDate: LocalDate(year: 2026, month: 3, day: 1)!,
                                      clientId: "C1", radiologistId: "D1", modality: "CT", imageCount: 1, urgency: .routine))
            }
        }
        return (items, reports)
    }

    @Test(arguments: [1, 2, 3, 8])
    func runsMergeIntoTheOrderASortGives(runs: Int) throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            let (items, reports) = Self.items(runs: runs, each: 1 + Int(seed) * 37 % 200, seed: seed)
            let found = try #require(PeriodPricer.orderedRuns(items, of: reports, atMost: PeriodPricer.mergedRuns))
            #expect(found.count <= runs)
            // The order by comparison, on the reports themselves.
            let sorted = items.sorted { a, b in
                let x = reports[Int(a.index)], y = reports[Int(b.index)]
                return x.reportedAt != y.reportedAt ? x.reportedAt < y.reportedAt : x.id < y.id
            }
            #expect(PeriodPricer.merged(items, runs: found, of: reports).map(\.index) == sorted.map(\.index), "seed \(seed)")
        }
    }

    @Test func moreRunsThanAreMergedAreLeftToTheSort() {
        let (items, reports) = Self.items(runs: PeriodPricer.mergedRuns + 1, each: 40, seed: 7)
        #expect(PeriodPricer.orderedRuns(items, of: reports, atMost: PeriodPricer.mergedRuns) == nil)
    }

    /// Two drops of one client, the second's reports falling between the first's: first a
    /// (CT, the 5th), c (CT, 7th), d (CT, 8th); then b (MR, 6th), e (CT, 9th). Graduated by
    /// position among all the client's reports: CT position 1 at 10, 2 at 7, 3 and later at 1;
    /// MR position 1 at 50, later at 5. In time order a 1, b 2, c 3, d 4, e 5:
    /// 10 + 5 + 1 + 1 + 1 = 18.00. In arrival order (a, c, d, b, e): 10 + 7 + 1 + 5 + 1 = 24.00.
    @Test func aLaterDropBetweenAnEarliersReportsIsBilledInTimeOrder() throws {
        typealias F = Fixture
        let first = [F.report("a", "2026-01-05T10:00Z"), F.report("c", "2026-01-07T10:00Z"), F.report("d", "2026-01-08T10:00Z")]
        let second = [F.report("b", "2026-01-06T10:00Z", modality: "MR"), F.report("e", "2026-01-09T10:00Z")]
        let ctx = F.context(clientRates: [F.tier(1, 1, "10", mode: .graduated, modality: "CT"),
                                          F.tier(2, 2, "7", mode: .graduated, modality: "CT"),
                                          F.tier(3, nil, "1", mode: .graduated, modality: "CT"),
                                          F.tier(1, 1, "50", mode: .graduated, modality: "MR"),
                                          F.tier(2, nil, "5", mode: .graduated, modality: "MR")])
        #expect(try #require(F.price(ctx, first + second).invoices.first).subtotal.description == "18.00")
    }
}

/// A client's reports in no order at all are put in billing order by one radix sort of
/// (time, position) integers, the time in the coarsest unit every report's time is whole in;
/// the result must be the (`reported_at`, `report_id`) order a comparison sort gives.
@Suite("Billing order — sorted")
struct BillingOrderSortTests {
    /// `count` reports over a month from 2026-03-01, their times multiples of `unit` ns (plus
    /// `odd` ns on one of them), few distinct times so that many are shared; shuffled.
    static func items(count: Int, unit: Int64, distinct: UInt64, odd: Int64, seed: UInt64) -> (items: [PricedItem], reports: [Report]) {
        var g = SplitMix64(seed: seed)
        let start: Int64 = 1_772_323_200_000_000_000  // 2026-03-01T00:00:00Z
        let step = 2_592_000_000_000_000 / Int64(distinct) / unit * unit  // a month over `distinct` times
        var reports: [Report] = [], items: [PricedItem] = []
        for k in 0..<count {
            let at = start + Int64(g.next() % distinct) * step + (k == count / 2 ? odd : 0)
            items.append(PricedItem(index: Int32(k), modality: 0, radiologist: 0, day: 0, images: 1, urgency: .routine, at: at))
            reports.append(Report(id: "R\(g.next() % 1_000_000)-\(k)", reportedAt: Timestamp(nanoseconds: at),
                                  localDate: LocalDate(year: 2026, month: 3, day: 1)!, clientId: "C1", radiologistId: "D1",
                                  modality: "CT", imageCount: 1, urgency: .routine))
        }
        return (items, reports)
    }

    @Test(arguments: [(unit: Int64(1_000_000_000), odd: Int64(0)), (unit: 1_000_000_000, odd: 1_000_000),
                      (unit: 1_000_000, odd: 0), (unit: 1_000, odd: 0), (unit: 20_000_000_000, odd: 0),
                      (unit: 1_000_000_000, odd: 1), (unit: 1, odd: 0)])
    func reportsInNoOrderAreSortedAsAComparisonSortsThem(unit: Int64, odd: Int64) {
        for (count, distinct) in [(300, 40), (5_000, 2_000), (5_000, 50)] as [(Int, UInt64)] {
            let (items, reports) = Self.items(count: count, unit: unit, distinct: distinct, odd: odd, seed: UInt64(count) &+ UInt64(unit))
            let sorted = items.sorted { a, b in
                let x = reports[Int(a.index)], y = reports[Int(b.index)]
                return x.reportedAt != y.reportedAt ? x.reportedAt < y.reportedAt : x.id < y.id
            }
            #expect(PeriodPricer.inBillingOrder(items[...], of: reports).map(\.index) == sorted.map(\.index),
                    "unit \(unit) + \(odd) ns, \(count) reports over \(distinct) times")
        }
    }
}
