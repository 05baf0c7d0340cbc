import Testing

@testable import ReconKit

private typealias F = Fixture

/// SPEC §7: every line says what gave its price — for tiers, the tier or tiers. A line is one
/// unit price (SPEC §3), so a card replaced mid-month at the same price gives one line
/// reports of both cards, and the words must name both.
@Suite("Document lines say which tiers and cards priced them")
struct LineDescriptionTests {
    /// Six CT reports: two under the card of 1 January (graduated: 1–2 at 30, 3+ at 25), four
    /// under the card of 15 January (volume: 1–10 at 30, 11+ at 20).
    ///   Jan card, positions n = 1, 2 → 30 each; n = 3 (B2, 12 Jan) → 25.
    ///   Jan 15 card, V = 6 → tier 1–10 at 30 for B3, B4, B5.
    /// Lines: 30 × 5 = 150.00 (two cards) and 25 × 1 = 25.00; subtotal 175.00.
    @Test func aLineOfTwoCardsNamesBoth() throws {
        let reports = ["02", "07", "12", "17", "22", "27"].enumerated().map { i, day in F.report("B\(i)", "2026-01-\(day)T10:00Z") }
        let ctx = F.context(clientRates: [
            F.tier(1, 2, "30", mode: .graduated, client: "C1"), F.tier(3, nil, "25", mode: .graduated, client: "C1"),
            F.tier(1, 10, "30", client: "C1", effective: "2026-01-15"), F.tier(11, nil, "20", client: "C1", effective: "2026-01-15"),
        ])
        let invoice = try #require(F.price(ctx, reports).invoices.first)
        #expect(invoice.subtotal.description == "175.00")
        let thirty = try #require(invoice.lines.first { $0.quantity == 5 })
        #expect(thirty.amount.description == "150.00")
        #expect(thirty.description == "CT, routine — tier 1–2, graduated pricing (card from 2026-01-01); tier 1–10, volume pricing (card from 2026-01-15)")
        // Another CT, routine line beside one of two cards: it names its card too.
        #expect(invoice.lines.first { $0.quantity == 1 }?.description == "CT, routine — tier 3+, graduated pricing (card from 2026-01-01)")
    }

    /// A card replaced mid-month at another price (100.00, then 110.00 from the 16th): two XR
    /// lines that read alike, "XR, routine", each name their card. A volume client's two cards
    /// ("tier 5–9" at 40.40, "tier 5+" at 45.00 for one month's V = 5) are named the same way.
    @Test func linesOfOneServiceFromTwoCardsNameTheirCards() throws {
        let reports = [F.report("a", "2026-01-05T10:00Z", modality: "XR"), F.report("b", "2026-01-20T10:00Z", modality: "XR")]
        let ctx = F.context(clientRates: [F.tier(1, nil, "100"), F.tier(1, nil, "110", effective: "2026-01-16")])
        let invoice = try #require(F.price(ctx, reports).invoices.first)
        #expect(invoice.lines.map(\.description) == ["XR, routine (card from 2026-01-01)", "XR, routine (card from 2026-01-16)"])
        #expect(invoice.subtotal.description == "210.00")
        let volume = F.context(clientRates: [F.tier(1, 4, "50"), F.tier(5, 9, "40.40"),
                                             F.tier(1, 4, "55", effective: "2026-01-16"), F.tier(5, nil, "45", effective: "2026-01-16")])
        let five = (1...5).map { F.report("v\($0)", "2026-01-\(10 + $0 * 3)T10:00Z", modality: "XR") }
        let lines = try #require(F.price(volume, five).invoices.first).lines.map(\.description)
        #expect(lines == ["XR, routine — tier 5–9, volume pricing (card from 2026-01-01)", "XR, routine — tier 5+, volume pricing (card from 2026-01-16)"],
                "\(lines)")
    }

    /// Two cards whose tiers read the same are not told apart: `tier 1–10` is true of both.
    /// Three reports, V = 3 under each card → 40 each, one line 3 × 40 = 120.00.
    @Test func cardsThatReadAlikeAreNotNamed() throws {
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-20T10:00Z"), F.report("c", "2026-01-21T10:00Z")]
        let ctx = F.context(clientRates: [F.tier(1, 10, "40"), F.tier(11, nil, "35"),
                                          F.tier(1, 10, "40", effective: "2026-01-15"), F.tier(11, nil, "30", effective: "2026-01-15")])
        let invoice = try #require(F.price(ctx, reports).invoices.first)
        #expect(invoice.lines.map(\.description) == ["CT, routine — tier 1–10, volume pricing"])
        #expect(invoice.subtotal.description == "120.00")
    }

    /// A flat card replaced by a tiered one at the same price: the flat one says so.
    @Test func aFlatCardBesideATieredOneSaysFlat() throws {
        let reports = [F.report("a", "2026-01-05T10:00Z"), F.report("b", "2026-01-20T10:00Z")]
        let ctx = F.context(clientRates: [F.tier(1, nil, "40"), F.tier(1, 5, "40", effective: "2026-01-15"), F.tier(6, nil, "30", effective: "2026-01-15")])
        let invoice = try #require(F.price(ctx, reports).invoices.first)
        #expect(invoice.lines.map(\.description) == ["CT, routine — flat price (card from 2026-01-01); tier 1–5, volume pricing (card from 2026-01-15)"])
    }

    /// A payout statement has a line per rate row (SPEC §3): two cards with the same rates give
    /// two lines of 1 × 10.00, each naming its card, so they do not read as one paid twice.
    @Test func payoutLinesThatWouldReadAlikeNameTheirCards() throws {
        let reports = [F.report("a", "2026-01-02T10:00Z"), F.report("b", "2026-01-16T10:00Z")]
        let ctx = F.context(clientRates: [F.tier(1, nil, "30")],
                            providerRates: [F.pay("10"), F.pay("10", effective: "2026-01-15")])
        let payout = try #require(F.price(ctx, reports).payouts.first)
        #expect(payout.lines.map(\.description) == ["CT, routine — per report (card from 2026-01-01)",
                                                    "CT, routine — per report (card from 2026-01-15)"])
        #expect(payout.subtotal.description == "20.00")
        // One card: nothing to tell apart.
        let one = try #require(F.price(F.context(clientRates: [F.tier(1, nil, "30")]), reports).payouts.first)
        #expect(one.lines.map(\.description) == ["CT, routine — per report"])
    }
}
