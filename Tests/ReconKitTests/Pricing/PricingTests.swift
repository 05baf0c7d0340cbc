import Testing
@testable import ReconKit

extension Int128 {
    func power(_ n: Int) -> Int128 { (0..<n).reduce(1) { r, _ in r * self } }
}

@Suite("Pricing — hand-computed cases (SPEC §3)")
struct PricingTests {
    typealias F = Fixture
    let three = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-06T10:00Z"), F.report("c", "2026-01-07T10:00Z")]

    /// A draft with reports that have no price: their payout is known (3 × 100.00 INR) but only
    /// one report's revenue is (CT at 100.00; MR has no row). Counting 300.00 of cost against
    /// 100.00 of revenue showed a margin of −200.00 with nothing said left out: the client's margin
    /// is left out and named, as when a rate to base is missing. C2, all priced, keeps its
    /// margin: 1 × 50.00 − 100.00 = −50.00.
    @Test func aClientWithUnpricedReportsHasItsMarginLeftOutAndSaid() throws {
        let ctx = F.context(clients: [F.client("C1"), F.client("C2")],
                            clientRates: [F.tier(1, nil, "100", client: "C1", modality: "CT"), F.tier(1, nil, "50", client: "C2")])
        let reports = [F.report("a", "2026-01-05T10:00Z", modality: "CT"), F.report("b", "2026-01-06T10:00Z", modality: "MR"),
                       F.report("c", "2026-01-07T10:00Z", modality: "MR"), F.report("d", "2026-01-07T11:00Z", client: "C2")]
        let book = F.price(ctx, reports)
        #expect(try #require(book.invoices.first { $0.partyId == "C1" }).subtotal.description == "100.00")
        #expect(book.margins.map(\.clientId) == ["C2"])
        #expect(book.margins.first.map { "\($0.revenue) \($0.cost)" } == "50.00 100.00")
        #expect(book.marginGaps.map(\.description) == ["C1: 2 reports without a price or payout (its UNPRICED problem): its margin is left out until they are priced"],
                "\(book.marginGaps)")
        #expect(book.marginGaps.map(\.code) == [.unpriced])  // filed under MARGIN_UNPRICED on the review
    }

    /// A client whose reports have a price and a payout, but whose price is in a currency with no
    /// rate to the client's (7 EUR a report, the client invoiced in USD, no USD rate): its margin
    /// gap was filed under MARGIN_UNPRICED, "without a price or payout (the problems below)" —
    /// the FX_MISSING problem stood above it. Filed under the missing rate, and said so.
    @Test func aMarginLeftOutForAMissingRateIsFiledUnderIt() throws {
        let ctx = F.context(clients: [F.client("C1", F.usd)], clientRates: [F.tier(1, nil, "7", F.eur, client: "C1")],
                            fx: [("2026-01-01", F.eur, "90")])
        let book = F.price(ctx, [F.report("a", "2026-01-05T10:00Z")])
        #expect(book.problems.map(\.code) == [.fxMissing], "\(book.problems)")
        #expect(book.marginGaps.map(\.code) == [.fxMissing])
        #expect(book.marginGaps.map(\.description) == ["C1: 1 report whose price wants an FX rate nobody dropped (its FX_MISSING "
            + "problem): its margin is left out until the rate is dropped"], "\(book.marginGaps)")
    }

    /// A report is one report however many of its sides are unknown. C1's four reports: a (CT,
    /// priced in USD with no USD rate: FX_MISSING) and b (CT, the same line) have a payout; c
    /// (MR) has neither a price (no MR row) nor a payout (the card pays CT only); d (CT, USD
    /// line) has no payout (urgent: no stat row). Unknown: c, d, and a, b through their line:
    /// 4 reports. Each side was counted on its own: c twice, d twice (its stat line and its
    /// payout), 6 reports; and with the USD rate given, 3 for c and d.
    @Test func aReportWithBothSidesUnknownIsCountedOnceInTheMarginGap() throws {
        let ctx = F.context(clientRates: [F.tier(1, nil, "10", F.usd, client: "C1", modality: "CT")],
                            providerRates: [F.pay("100", modality: "CT", urgency: .routine)])
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-05T11:00Z"),
                       F.report("c", "2026-01-06T10:00Z", modality: "MR"),
                       F.report("d", "2026-01-07T10:00Z", urgency: .stat)]
        let book = F.price(ctx, reports)
        // Without the USD line's reports: c and d only, 2.
        let ctxPriced = F.context(clientRates: [F.tier(1, nil, "10", F.usd, client: "C1", modality: "CT")],
                                  providerRates: [F.pay("100", modality: "CT", urgency: .routine)],
                                  fx: [("2026-01-31", F.usd, "80")])
        #expect(F.price(ctxPriced, reports).marginGaps.map(\.description)
                    == ["C1: 2 reports without a price or payout (its UNPRICED problem): its margin is left out until they are priced"])
        #expect(book.marginGaps.map(\.description)
                    == ["C1: 4 reports without a price or payout (its UNPRICED and FX_MISSING problems): its margin is left out until they are priced"],
                "\(book.marginGaps)")
    }

    /// A line whose amount cannot be held (AMOUNT_OVERFLOW: 999,999,999,999,999.999999 USD a
    /// report, at 1 USD = 999,999,999,999,999.999999 INR and 1 EUR = 0.000001 INR, is some
    /// 10^36 EUR) has no amount: the client's margin counted its cost (100.00 INR) against no
    /// revenue, a loss of 100.00 that is not there. It is left out and named, as for UNPRICED.
    @Test func aClientWhoseLineOverflowsHasItsMarginLeftOutAndSaid() throws {
        let ctx = F.context(clients: [F.client("C1", F.eur)], clientRates: [F.tier(1, nil, "999999999999999.999999", F.usd, client: "C1")],
                            fx: [("2026-01-01", F.usd, "999999999999999.999999"), ("2026-01-01", F.eur, "0.000001")])
        let book = F.price(ctx, [F.report("a", "2026-01-05T10:00Z")])
        #expect(book.problems.contains { $0.code.rawValue == "AMOUNT_OVERFLOW" }, "\(book.problems)")
        #expect(book.margins.isEmpty, "\(book.margins)")
        #expect(book.marginGaps.map(\.description)
                    == ["C1: 1 report without a price or payout (its AMOUNT_OVERFLOW problem): its margin is left out until they are priced"],
                "\(book.marginGaps)")
    }

    /// The same for a client none of whose reports has a price: it has no draft, and its
    /// radiologist's cost for them is in the payouts; its margin was left out and not said.
    @Test func aClientWithNoPricedReportHasItsMarginLeftOutAndSaid() throws {
        let ctx = F.context(clients: [F.client("C1"), F.client("C2")], clientRates: [F.tier(1, nil, "50", client: "C2")])
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("d", "2026-01-07T11:00Z", client: "C2")]
        let book = F.price(ctx, reports)
        #expect(book.invoices.map(\.partyId) == ["C2"] && book.margins.map(\.clientId) == ["C2"])
        #expect(book.marginGaps.map(\.description) == ["C1: 1 report without a price or payout (its UNPRICED problem): its margin is left out until they are priced"],
                "\(book.marginGaps)")
    }

    /// 80,000 reports: enough for the pricer to gather them in two halves on two cores. The
    /// halves must join into what one pass gives, in billing order (graduated tiers).
    @Test func aMonthGatheredInTwoHalvesPricesAsOne() throws {
        // k = 0..<80,000, one second apart from 2026-01-01T00:00Z: C1 when k % 8 < 5 (50,000
        // reports), else C2 (30,000); R1 when k is even (40,000), else R2 (40,000).
        var reports: [Report] = []
        for k in 0..<80_000 {
            let at = String(format: "2026-01-01T%02d:%02d:%02dZ", k / 3600, k / 60 % 60, k % 60)
            reports.append(F.report("r\(k)", at, client: k % 8 < 5 ? "C1" : "C2", rad: k % 2 == 0 ? "R1" : "R2",
                                    modality: k % 8 < 5 ? "CT" : "MR"))
        }
        let ctx = F.context(clients: [F.client("C1"), F.client("C2")], radiologists: [F.radiologist("R1"), F.radiologist("R2")],
                            clientRates: [F.tier(1, 40_000, "10", mode: .graduated, client: "C1"),
                                          F.tier(40_001, nil, "8", mode: .graduated, client: "C1"),
                                          F.tier(1, nil, "5", client: "C2")])
        // Three C1 reports of R1 in the second half are excluded (k = 70,000, 70,008, 70,016).
        let book = F.price(ctx, reports, excluded: ["r70000", "r70008", "r70016"])
        #expect(book.excludedReports == 3)
        // C1: 49,997 billed; positions 1–40,000 at 10.00 = 400,000.00, 9,997 at 8.00 = 79,976.00.
        let c1 = try #require(book.invoices.first { $0.partyId == "C1" })
        #expect(c1.lines.map(\.quantity).sorted() == [9_997, 40_000])
        #expect(c1.subtotal.description == "479976.00")
        // C2: 30,000 × 5.00 = 150,000.00.
        #expect(try #require(book.invoices.first { $0.partyId == "C2" }).subtotal.description == "150000.00")
        // R1: 39,997 × 100.00 = 3,999,700.00; R2: 40,000 × 100.00 = 4,000,000.00.
        #expect(try #require(book.payouts.first { $0.partyId == "R1" }).subtotal.description == "3999700.00")
        #expect(try #require(book.payouts.first { $0.partyId == "R2" }).subtotal.description == "4000000.00")
        #expect(book.radiologistCounts["R1"]?.reports == 39_997 && book.radiologistCounts["R2"]?.reports == 40_000)
    }

    /// A client, a radiologist and a modality first seen in the second half are numbered
    /// after the first half's, and each report keeps its own: the halves' numbers are put
    /// together before any item is placed.
    @Test func namesFirstSeenInTheSecondHalfKeepTheirOwnPrices() throws {
        // k = 0..<80,000, one second apart: before k = 40,000 all C1/R1/CT; from it, every
        // fourth (k % 4 == 0: 10,000 reports) C3/R3/US, the rest C1/R1/CT (30,000).
        var reports: [Report] = []
        for k in 0..<80_000 {
            let at = String(format: "2026-01-01T%02d:%02d:%02dZ", k / 3600, k / 60 % 60, k % 60)
            let late = k >= 40_000 && k % 4 == 0
            reports.append(F.report("r\(k)", at, client: late ? "C3" : "C1", rad: late ? "R3" : "R1", modality: late ? "US" : "CT"))
        }
        let ctx = F.context(clients: [F.client("C1"), F.client("C3")], radiologists: [F.radiologist("R1"), F.radiologist("R3")],
                            clientRates: [F.tier(1, 60_000, "10", mode: .graduated, client: "C1"),
                                          F.tier(60_001, nil, "8", mode: .graduated, client: "C1"),
                                          F.tier(1, 5_000, "20", client: "C3"), F.tier(5_001, nil, "15", client: "C3")],
                            providerRates: [F.pay("100"), F.pay("70", modality: "US")])
        // r40004, C3's second report, is excluded: C3 has V = 9,999. The second half starts
        // with r40000 (C3, US): there US is the first modality, in the run's numbers the second.
        let book = F.price(ctx, reports, excluded: ["r40004"])
        #expect(book.excludedReports == 1 && book.excludedIndices == [40_004])
        // C1: 70,000 reports; positions 1–60,000 at 10.00 = 600,000.00, 10,000 at 8.00 = 80,000.00.
        let c1 = try #require(book.invoices.first { $0.partyId == "C1" })
        #expect(c1.subtotal.description == "680000.00")
        #expect(Set(c1.lines.map(\.modality)) == ["CT"])
        // C3: V = 9,999 → all at 15.00: 149,985.00, on a US line.
        let c3 = try #require(book.invoices.first { $0.partyId == "C3" })
        #expect(c3.subtotal.description == "149985.00")
        #expect(c3.lines.map(\.modality) == ["US"] && c3.lines.map(\.quantity) == [9_999])
        // R1: 70,000 × 100.00 = 7,000,000.00; R3 on the US row: 9,999 × 70.00 = 699,930.00.
        #expect(try #require(book.payouts.first { $0.partyId == "R1" }).subtotal.description == "7000000.00")
        #expect(try #require(book.payouts.first { $0.partyId == "R3" }).subtotal.description == "699930.00")
        #expect(book.radiologistCounts["R3"]?.reports == 9_999 && book.radiologistCounts["R3"]?.images == 29_997)
        #expect(book.clientCounts["C3"]?.reports == 9_999 && book.clientCounts["C1"]?.reports == 70_000)
    }

    /// Every report of the period excluded (a client's only reports, excluded by decisions):
    /// nothing is billed or paid, no document, and the exclusions are counted.
    @Test func aPeriodWhoseReportsAreAllExcludedPricesNothing() throws {
        let ctx = F.context(clientRates: [F.tier(1, nil, "10")])
        let book = F.price(ctx, three, excluded: ["a", "b", "c"])
        #expect(book.invoices.isEmpty && book.payouts.isEmpty && book.problems.isEmpty)
        #expect(book.billableReports == 0 && book.excludedReports == 3)
        #expect(book.excludedIndices == [0, 1, 2])
        // And a period with no report at all.
        let none = F.price(ctx, [])
        #expect(none.invoices.isEmpty && none.billableReports == 0 && none.excludedReports == 0)
    }

    @Test func volumeModePricesEveryReportAtTheTierContainingV() throws {
        // Tiers 1–2 at 10.00, 3+ at 8.00; V = 3 → all three at 8.00: 3 × 8.00 = 24.00.
        let ctx = F.context(clientRates: [F.tier(1, 2, "10.00"), F.tier(3, nil, "8.00")])
        let inv = try #require(F.price(ctx, three).invoices.first)
        #expect(inv.lines.count == 1)
        #expect(inv.lines[0].quantity == 3)
        #expect(inv.lines[0].unitAmount == F.d("8"))
        #expect(inv.subtotal.description == "24.00")
    }

    @Test func graduatedModePricesEachReportAtItsPosition() throws {
        // Same tiers, graduated: positions 1 and 2 at 10.00 (20.00), position 3 at 8.00; subtotal 28.00.
        let ctx = F.context(clientRates: [F.tier(1, 2, "10.00", mode: .graduated), F.tier(3, nil, "8.00", mode: .graduated)])
        let inv = try #require(F.price(ctx, three).invoices.first)
        #expect(inv.lines.map(\.quantity).sorted() == [1, 2])
        #expect(inv.subtotal.description == "28.00")
    }

    @Test func graduatedPositionFollowsReportedAtThenReportId() throws {
        // Arrival order c, a, b; billing order by reported_at puts "c" (earliest) first at 10.00.
        // Tier 1–1 at 10, 2+ at 1 → c at 10, a and b at 1: subtotal 12.00.
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-05T10:00Z"), F.report("c", "2026-01-01T00:00Z")]
        let ctx = F.context(clientRates: [F.tier(1, 1, "10", mode: .graduated), F.tier(2, nil, "1", mode: .graduated)])
        #expect(try #require(F.price(ctx, reports).invoices.first).subtotal.description == "12.00")
    }

    @Test(arguments: [["a", "b"], ["b", "a"]])
    func sameReportedAtIsOrderedByReportIdWhicheverArrivesFirst(arrival: [String]) throws {
        // a (CT) and b (MR) share a reported_at: billing order is a, then b, in either arrival order.
        // Graduated, position counted over both modalities: a is position 1 → CT tier 1 at 10;
        // b is position 2 → MR tier 2+ at 5. Subtotal 10 + 5 = 15.00 (b first would give 50 + 1 = 51.00).
        let made = ["a": F.report("a", "2026-01-05T10:00Z", modality: "CT"), "b": F.report("b", "2026-01-05T10:00Z", modality: "MR")]
        let ctx = F.context(clientRates: [F.tier(1, 1, "10", mode: .graduated, modality: "CT"),
                                          F.tier(2, nil, "1", mode: .graduated, modality: "CT"),
                                          F.tier(1, 1, "50", mode: .graduated, modality: "MR"),
                                          F.tier(2, nil, "5", mode: .graduated, modality: "MR")])
        #expect(try #require(F.price(ctx, arrival.map { made[$0]! }).invoices.first).subtotal.description == "15.00")
    }

    /// Many reports arriving latest first: the billing order comes from one sort of packed
    /// (time, position) integers, or, when nanosecond times over a month need more than 64
    /// bits with the positions, from a sort by comparison. Both must give the same order.
    @Test(arguments: [(count: 6000, stepNs: Int64(250_000_000), nanosecond: false),
                      (count: 5000, stepNs: Int64(535_000_000_000), nanosecond: true)])
    func manyReportsOutOfOrderAreBilledInTimeThenIdOrder(count: Int, stepNs: Int64, nanosecond: Bool) throws {
        // C1 reports r1 … r(count−1), all CT, 0.25 s or 535 s apart from 2026-01-01T00:00:01Z;
        // "m" (MR) shares r1's time and sorts before it by id. With `nanosecond`, r2 is 1 ns
        // later than its step, so times share no unit coarser than a nanosecond and span 30.9
        // days (52 bits), beside 13 bits of positions. They arrive newest first.
        // Graduated: CT position 1 at 10, 2+ at 1; MR position 1 at 50, 2+ at 5.
        // m is position 1: 50.00; the CT reports are positions 2 … count: 1.00 each.
        func at(_ k: Int) -> String {
            let ns = Int64(k - 1) * stepNs + (nanosecond && k == 2 ? 1 : 0)
            let secs = 1 + ns / 1_000_000_000, frac = ns % 1_000_000_000
            return String(format: "2026-01-%02dT%02d:%02d:%02d.%09dZ", 1 + secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60, frac)
        }
        var reports = (1..<count).reversed().map { F.report("r\($0)", at($0)) }
        reports.append(F.report("m", at(1), modality: "MR"))
        let ctx = F.context(clientRates: [F.tier(1, 1, "10", mode: .graduated, modality: "CT"),
                                          F.tier(2, nil, "1", mode: .graduated, modality: "CT"),
                                          F.tier(1, 1, "50", mode: .graduated, modality: "MR"),
                                          F.tier(2, nil, "5", mode: .graduated, modality: "MR")])
        let invoice = try #require(F.price(ctx, reports).invoices.first)
        // 50.00 + (count − 1) × 1.00; m anywhere but first would give 5.00 + 10.00 + (count − 2) × 1.00.
        #expect(invoice.subtotal.description == "\(50 + count - 1).00")
    }

    /// Reports sharing one reported_at are billed in report id order, however many share it.
    @Test(arguments: [(tied: 4, mr: 1), (tied: 12, mr: 5)])
    func reportsSharingATimeAreBilledInIdOrder(tied: Int, mr: Int) throws {
        // `tied` reports t00, t01, … at 10:00, arriving in reverse id order, and one later
        // report; t(mr) is MR, the rest CT. In id order t(mr) is position mr + 1.
        // Graduated: CT flat 1; MR positions 1 … mr + 1 at 50, later at 5.
        // So 50.00 + tied × 1.00 (tied − 1 CT at 10:00 and the later one); if the tie were
        // broken any other way t(mr) would land later and cost 5.00.
        let ids = (0..<tied).map { String(format: "t%02d", $0) }
        var reports = ids.reversed().map { F.report($0, "2026-01-05T10:00Z", modality: $0 == ids[mr] ? "MR" : "CT") }
        reports.append(F.report("later", "2026-01-06T10:00Z"))
        let ctx = F.context(clientRates: [F.tier(1, nil, "1", mode: .graduated, modality: "CT"),
                                          F.tier(1, mr + 1, "50", mode: .graduated, modality: "MR"),
                                          F.tier(mr + 2, nil, "5", mode: .graduated, modality: "MR")])
        #expect(try #require(F.price(ctx, reports).invoices.first).subtotal.description == "\(50 + tied).00")
    }

    @Test func excludedReportsCountTowardNeitherVolumeNorPosition() throws {
        // Three reports, one excluded: V = 2 → tier 1–2 at 10.00: 2 × 10.00 = 20.00; payout 2 × 100 = 200.00.
        let ctx = F.context(clientRates: [F.tier(1, 2, "10.00"), F.tier(3, nil, "8.00")])
        let book = F.price(ctx, three, excluded: ["b"])
        #expect(book.invoices.first?.subtotal.description == "20.00")
        #expect(book.payouts.first?.subtotal.description == "200.00")
        #expect(book.excludedReports == 1)
    }

    @Test func volumeCountsAllModalities() throws {
        // 2 CT + 1 MR: V = 3 for both schedules. CT tiers 1–2 @ 10 / 3+ @ 8; MR flat 50.
        // CT: 2 × 8 = 16.00; MR: 1 × 50 = 50.00; subtotal 66.00.
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-06T10:00Z"),
                       F.report("c", "2026-01-07T10:00Z", modality: "MR")]
        let ctx = F.context(clientRates: [F.tier(1, 2, "10", modality: "CT"), F.tier(3, nil, "8", modality: "CT"),
                                          F.tier(1, nil, "50", modality: "MR")])
        #expect(try #require(F.price(ctx, reports).invoices.first).subtotal.description == "66.00")
    }

    @Test func theMostSpecificClientScheduleWins() throws {
        // A row naming the client (20) beats one naming contract, modality and urgency (30).
        let ctx = F.context(clientRates: [F.tier(1, nil, "30", contract: "standard", modality: "CT", urgency: .routine),
                                          F.tier(1, nil, "20", client: "C1")])
        #expect(try #require(F.price(ctx, [three[0]]).invoices.first).subtotal.description == "20.00")
        // Without the client row, contract + modality (30) beats modality alone (40).
        let ctx2 = F.context(clientRates: [F.tier(1, nil, "30", contract: "standard", modality: "CT"),
                                           F.tier(1, nil, "40", modality: "CT", urgency: .routine)])
        #expect(try #require(F.price(ctx2, [three[0]]).invoices.first).subtotal.description == "30.00")
    }

    @Test func payoutPrecedenceAndSeniorityBands() throws {
        let rows = [F.pay("90", modality: "CT", line: 1), F.pay("100", grade: "consultant", line: 2),
                    F.pay("120", grade: "consultant", minYears: 10, line: 3), F.pay("70", line: 4)]
        // 5 years: grade row (100) beats modality row (90) — both name one field, grade comes first.
        #expect(PayoutMatcher.match(rows, grade: "consultant", modality: "CT", urgency: .routine, seniorityYears: 5)?.ratePerReport == F.d("100"))
        // 12 years: same specificity, the highest band ≤ 12 wins: 120.
        #expect(PayoutMatcher.match(rows, grade: "consultant", modality: "CT", urgency: .routine, seniorityYears: 12)?.ratePerReport == F.d("120"))
        // Another grade on MR: only the all-wildcard row matches: 70.
        #expect(PayoutMatcher.match(rows, grade: "junior", modality: "MR", urgency: .stat, seniorityYears: 1)?.ratePerReport == F.d("70"))
        // Grade + modality (two named) beats grade alone.
        let more = rows + [F.pay("130", grade: "consultant", modality: "CT", line: 5)]
        #expect(PayoutMatcher.match(more, grade: "consultant", modality: "CT", urgency: .routine, seniorityYears: 12)?.ratePerReport == F.d("130"))
    }

    @Test func payoutStatementHasReportAndImageLines() throws {
        // 3 CT reports of 3 images: 3 × 100.00 = 300.00 and 9 images × 2.50 = 22.50; subtotal 322.50, tax 0.00.
        let ctx = F.context(clientRates: [F.tier(1, nil, "10")], providerRates: [F.pay("100", perImage: "2.5")])
        let pay = try #require(F.price(ctx, three).payouts.first)
        #expect(pay.lines.map(\.per) == ["report", "image"])
        #expect(pay.lines.map(\.quantity) == [3, 9])
        #expect(pay.subtotal.description == "322.50")
        #expect(pay.tax.description == "0.00")
        #expect(pay.total == pay.subtotal)
    }

    @Test func halfRoundsAwayFromZero() throws {
        // 1 × 2.345 INR = 2.345 → 2.35 (half away from zero; banker's rounding would give 2.34).
        let ctx = F.context(clientRates: [F.tier(1, nil, "2.345")])
        #expect(try #require(F.price(ctx, [three[0]]).invoices.first).subtotal.description == "2.35")
        #expect(try Rounding.round(F.d("-2.345"), toScale: 2).description == "-2.35")
        #expect(try Rounding.round(F.d("2.344999"), toScale: 2).description == "2.34")
    }

    /// A breakdown adds up to its figure rounded once: the units the parts' own roundings miss
    /// go to the parts whose rounding dropped (or added) the most, ties in order.
    @Test func apportionedPartsAddUpToTheTotalRoundedOnce() throws {
        func apportion(_ parts: [String], _ total: String) throws -> [String] {
            try Rounding.apportion(parts.map(F.d), total: F.d(total), toScale: 2).map(\.description)
        }
        // 1.01 + 2.01 + 3.00 = 6.02 against 6.011 → 6.01: the first of the two rounded up by 0.005 gives one back.
        #expect(try apportion(["1.005", "2.005", "3.001"], "6.011") == ["1.00", "2.01", "3.00"])
        // 0.33 × 3 = 0.99 against 1.000: the part that dropped 0.004 takes the cent.
        #expect(try apportion(["0.333", "0.333", "0.334"], "1.000") == ["0.33", "0.33", "0.34"])
        #expect(try apportion(["-0.005", "-0.005"], "-0.010") == ["0.00", "-0.01"])  // -0.01 × 2 = -0.02: the first gives one back
        #expect(try apportion(["2.50", "1.25"], "3.75") == ["2.50", "1.25"])
    }

    @Test func valuesTooWideToWidenStillCompareExactly() {
        // 10^37 at scale 0 cannot be widened to scale 36 in 128 bits; the comparison stays exact.
        let big = ExactDecimal(mantissa: Int128(10).power(37), scale: 0)
        let small = ExactDecimal(mantissa: 5, scale: 36)  // 0.000…005
        #expect(small < big && !(big < small))
        let a = ExactDecimal(mantissa: Int128(10).power(37) + 1, scale: 0)
        #expect(big < a && !(a < big))
        // Negative: −10^37 is below −0.000…005.
        let minusBig = ExactDecimal(mantissa: -Int128(10).power(37), scale: 0)
        let minusSmall = ExactDecimal(mantissa: -5, scale: 36)
        #expect(minusBig < minusSmall && !(minusSmall < minusBig))
    }

    @Test func jpyInvoiceHasNoDecimals() throws {
        // 3 × 12.50 USD = 37.50 USD; × 83.5 (INR per USD) / 0.56 (INR per JPY) = 5591.517857… → 5592 JPY.
        // Tax 10 %: 559.2 → 559; total 6151.
        let ctx = F.context(clients: [F.client("C1", F.jpy, tax: "10")], clientRates: [F.tier(1, nil, "12.50", F.usd)],
                            fx: [("2026-01-01", F.usd, "83.5"), ("2026-01-01", F.jpy, "0.56")])
        let inv = try #require(F.price(ctx, three).invoices.first)
        #expect(inv.subtotal.description == "5592")
        #expect(inv.tax.description == "559")
        #expect(inv.total.description == "6151")
    }

    @Test func kwdInvoiceHasThreeDecimals() throws {
        // 1 × 1000 INR / 270.5 (INR per KWD) = 3.6968576… → 3.697 KWD.
        let ctx = F.context(clients: [F.client("C1", F.kwd)], clientRates: [F.tier(1, nil, "1000")],
                            fx: [("2026-01-01", F.kwd, "270.5")])
        #expect(try #require(F.price(ctx, [three[0]]).invoices.first).subtotal.description == "3.697")
    }

    @Test func crossRateBetweenTwoForeignCurrencies() throws {
        // 2 × 100 EUR = 200 EUR × 90 (INR per EUR) / 83.5 (INR per USD) = 215.568862… → 215.57 USD.
        // Tax 18 %: 38.8026 → 38.80; total 254.37.
        let reports = [three[0], three[1]]
        let ctx = F.context(clients: [F.client("C1", F.usd, tax: "18")], clientRates: [F.tier(1, nil, "100", F.eur)],
                            fx: [("2026-01-01", F.eur, "90"), ("2026-01-01", F.usd, "83.5")])
        let inv = try #require(F.price(ctx, reports).invoices.first)
        #expect(inv.subtotal.description == "215.57")
        #expect(inv.tax.description == "38.80")
        #expect(inv.total.description == "254.37")
    }

    @Test func fxUsesTheLatestRateOnOrBeforeThePeriodsLastDay() throws {
        // Rates: 80 on 01-01, 82 on 01-31, 99 on 02-01 (after the period). 1 × 10 USD → 820.00 INR.
        let ctx = F.context(clientRates: [F.tier(1, nil, "10", F.usd)],
                            fx: [("2026-01-01", F.usd, "80"), ("2026-01-31", F.usd, "82"), ("2026-02-01", F.usd, "99")])
        #expect(try #require(F.price(ctx, [three[0]]).invoices.first).subtotal.description == "820.00")
    }

    @Test func missingFXRateIsAProblemNotAGuess() throws {
        let ctx = F.context(clientRates: [F.tier(1, nil, "10", F.usd)])
        let book = F.price(ctx, [three[0]])
        #expect(book.problems.map(\.code) == [.fxMissing])
    }

    /// FX_MISSING says how many reports it leaves unpriced on each side, as UNPRICED does: C1's
    /// three MR reports are priced in USD (its two CT reports in INR), R1's five all paid in USD.
    /// (It counted document lines, 2 and 3, and ended in "e.g. )".)
    @Test func missingFXRateCountsTheReportsItLeavesOut() throws {
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-06T10:00Z"),
                       F.report("c", "2026-01-07T10:00Z", modality: "MR"), F.report("d", "2026-01-08T10:00Z", modality: "MR"),
                       F.report("e", "2026-01-09T10:00Z", modality: "MR", urgency: .stat)]
        let ctx = F.context(clientRates: [F.tier(1, nil, "1000", modality: "CT"), F.tier(1, nil, "20", F.usd, modality: "MR")],
                            providerRates: [F.pay("10", F.usd)])
        let book = F.price(ctx, reports)
        let messages = book.problems.filter { $0.code == .fxMissing }.map(\.message)
        #expect(messages.count == 2, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("client C1:") && $0.hasSuffix("(3 reports)") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("radiologist R1:") && $0.hasSuffix("(5 reports)") }, "\(messages)")
        // The invoice's two CT reports are priced: 2 × 1000 = 2000.00 INR; what is left out is said, not priced at zero.
        #expect(book.invoices.first?.subtotal.description == "2000.00")
    }

    @Test func noMatchingRowIsUnpriced() throws {
        let ctx = F.context(clientRates: [F.tier(1, nil, "10", modality: "MR")], providerRates: [F.pay("100", modality: "MR")])
        let problems = F.price(ctx, [three[0]]).problems
        #expect(problems.map(\.code) == [.unpriced, .unpriced])
        // The radiologist's side names who and what found no row.
        #expect(problems.contains { $0.message.hasPrefix("radiologist R1: CT routine, grade consultant, 5 years: no provider rate row") })
    }

    @Test func aTierScheduleThatEndsLeavesLaterVolumeUnpriced() throws {
        let ctx = F.context(clientRates: [F.tier(1, 2, "10")])
        #expect(F.price(ctx, three).problems.first?.code == .unpriced)
    }

    /// Tiers 1–2 only, three CT reports. By volume (3), no tier holds the month: all three are
    /// unpriced and the invoice has no line. Graduated, positions 1 and 2 are priced at 10 and
    /// the third is unpriced, the problem naming its position.
    @Test(arguments: [TierMode.volume, .graduated])
    func aVolumeOrPositionPastTheLastTierIsNamed(mode: TierMode) throws {
        let ctx = F.context(clientRates: [F.tier(1, 2, "10", mode: mode)])
        let book = F.price(ctx, three)
        let unpriced = book.problems.filter { $0.code == .unpriced }.map(\.message)
        if mode == .volume {
            #expect(unpriced.count == 1 && unpriced[0].contains("no tier of the") && unpriced[0].contains("contains volume 3 (3 reports"),
                    "\(unpriced)")
            #expect(book.invoices.first?.lines.isEmpty ?? true)
        } else {
            #expect(unpriced.count == 1 && unpriced[0].contains("contains position 3 (report"), "\(unpriced)")
            #expect(book.invoices.first?.subtotal.description == "20.00")
        }
    }

    @Test func aRetroactiveCardPricesTheReportsOnOrAfterItsDate() throws {
        // Card of 01-01 at 10, card of 01-06 at 12 (agreed later). Reports on 01-05 (10), 01-06 and 01-07 (12 each): 34.00.
        let ctx = F.context(clientRates: [F.tier(1, nil, "10", effective: "2026-01-01"),
                                          F.tier(1, nil, "12", effective: "2026-01-06")])
        #expect(try #require(F.price(ctx, three).invoices.first).subtotal.description == "34.00")
        // A later drop for 01-01 replaces that whole card: now 11 then 12, 12: 35.00.
        var replaced = ctx
        replaced.clientCards.replace(F.date("2026-01-01"), with: [F.tier(1, nil, "11", effective: "2026-01-01")])
        #expect(try #require(F.price(replaced, three).invoices.first).subtotal.description == "35.00")
    }

    @Test func marginConvertsRevenueAndExactCostToBase() throws {
        // Cost: R1 2 × 100 INR = 200; R2 2 × 1.234 USD exact = 2.468 USD × 83.5 = 206.078 INR; 406.078 → 406.08.
        let ctx2 = F.context(clients: [F.client("C1", F.usd)],
                             radiologists: [F.radiologist("R1"), F.radiologist("R2", grade: "junior", years: 1, F.usd)],
                             clientRates: [F.tier(1, nil, "10", F.usd)],
                             providerRates: [F.pay("100", F.inr, grade: "consultant", line: 1),
                                             F.pay("1.234", F.usd, grade: "junior", line: 2)],
                             fx: [("2026-01-01", F.usd, "83.5")])
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-06T10:00Z"),
                       F.report("c", "2026-01-07T10:00Z", rad: "R2"), F.report("d", "2026-01-08T10:00Z", rad: "R2")]
        let m = try #require(F.price(ctx2, reports).margins.first)
        // Revenue: 4 × 10 USD = 40.00 USD × 83.5 = 3340.00 INR.
        #expect(m.revenue.description == "3340.00")
        #expect(m.cost.description == "406.08")
        #expect(try m.margin.description == "2933.92")
    }
}
