import ReconKit

/// Rate cards and FX rates of the demo site.
///
/// Prices are written as integers in the smallest step the card uses (`scale` decimal places),
/// so a yearly revision can scale them exactly and round to a price a person would write.
extension DemoData {
    /// One tier row of a client card, before it is written.
    struct Tier {
        var client = "*", contract = "*", modality = "*", urgency = "*"
        var from: Int
        var to: Int?
        /// In units of 10^-scale of `currency`.
        var price: Int
        var scale: Int
        var currency: String
        var mode: String
    }

    /// One row of a provider card, before it is written.
    struct PayRow {
        var grade = "*", modality = "*", urgency = "*"
        var minSeniority = 0
        /// In units of 10^-scale of `currency`.
        var perReport: Int
        var perImage = 0
        var scale: Int
        var currency: String
    }

    // MARK: Client cards

    /// A schedule: tiers `(from, to, price)` sharing one key, mode and currency.
    private static func schedule(client: String = "*", contract: String = "*", modality: String = "*", urgency: String = "*",
                                 mode: String, currency: String, scale: Int, _ tiers: [(Int, Int?, Int)]) -> [Tier] {
        tiers.map { t in
            Tier(client: client, contract: contract, modality: modality, urgency: urgency, from: t.0, to: t.1, price: t.2,
                 scale: scale, currency: currency, mode: mode)
        }
    }

    /// The list prices in force from 2025-01-01: INR schedules per contract type (standard in
    /// volume tiers, premium in graduated tiers), and schedules of their own for most clients
    /// abroad (USD, EUR, JPY, KWD, and one JPY client priced in USD). A few clients abroad have
    /// none: the INR list is converted to their currency.
    static let clientCard2025: [Tier] = {
        var t: [Tier] = []
        t += schedule(contract: "standard", mode: "volume", currency: "INR", scale: 0, [(1, 200, 450), (201, 500, 410), (501, nil, 360)])
        t += schedule(contract: "standard", modality: "CT", mode: "volume", currency: "INR", scale: 0,
                      [(1, 200, 950), (201, 500, 880), (501, nil, 800)])
        t += schedule(contract: "standard", modality: "MR", mode: "volume", currency: "INR", scale: 0,
                      [(1, 200, 1300), (201, 500, 1200), (501, nil, 1100)])
        t += schedule(contract: "standard", urgency: "stat", mode: "volume", currency: "INR", scale: 0, [(1, 200, 600), (201, nil, 560)])
        t += schedule(contract: "premium", mode: "graduated", currency: "INR", scale: 0, [(1, 100, 520), (101, 300, 470), (301, nil, 420)])
        t += schedule(contract: "premium", modality: "CT", mode: "graduated", currency: "INR", scale: 0,
                      [(1, 100, 1050), (101, 300, 980), (301, nil, 900)])
        t += schedule(contract: "premium", modality: "MR", mode: "graduated", currency: "INR", scale: 0,
                      [(1, 100, 1450), (101, 300, 1350), (301, nil, 1250)])
        // Clients abroad: (client, mode, currency, scale, base tiers, CT tiers, MR tiers).
        let abroad: [(String, String, String, Int, [(Int, Int?, Int)], [(Int, Int?, Int)], [(Int, Int?, Int)])] = [
            ("C-LAKESIDE-US", "volume", "USD", 2, [(1, 150, 750), (151, nil, 680)], [(1, 150, 1400), (151, nil, 1290)],
             [(1, 150, 1950), (151, nil, 1800)]),
            ("C-BAYVIEW-US", "graduated", "USD", 2, [(1, 100, 820), (101, nil, 740)], [(1, 100, 1550), (101, nil, 1420)],
             [(1, 100, 2100), (101, nil, 1940)]),
            ("C-GULFCOAST-US", "volume", "USD", 2, [(1, nil, 710)], [(1, nil, 1320)], [(1, nil, 1840)]),
            ("C-ATLAS-AE", "graduated", "USD", 2, [(1, 50, 900), (51, nil, 800)], [(1, 50, 1600), (51, nil, 1450)],
             [(1, 50, 2200), (51, nil, 2000)]),
            ("C-RHEIN-DE", "volume", "EUR", 2, [(1, 200, 720), (201, nil, 660)], [(1, 200, 1340), (201, nil, 1250)],
             [(1, 200, 1890), (201, nil, 1760)]),
            ("C-ISAR-DE", "graduated", "EUR", 2, [(1, 100, 780), (101, nil, 710)], [(1, 100, 1420), (101, nil, 1310)],
             [(1, 100, 1980), (101, nil, 1850)]),
            ("C-TAGUS-PT", "volume", "EUR", 2, [(1, nil, 690)], [(1, nil, 1280)], [(1, nil, 1790)]),
            ("C-SAKURA-JP", "volume", "JPY", 0, [(1, 200, 1150), (201, nil, 1050)], [(1, 200, 2150), (201, nil, 1980)],
             [(1, 200, 2950), (201, nil, 2750)]),
            ("C-KANSAI-JP", "graduated", "USD", 2, [(1, 100, 840), (101, nil, 760)], [(1, 100, 1560), (101, nil, 1430)],
             [(1, 100, 2150), (101, nil, 1990)]),
            ("C-SALMIYA-KW", "volume", "KWD", 3, [(1, 150, 2350), (151, nil, 2150)], [(1, 150, 4400), (151, nil, 4050)],
             [(1, 150, 6100), (151, nil, 5650)]),
            ("C-JAHRA-KW", "graduated", "KWD", 3, [(1, 100, 2500), (101, nil, 2300)], [(1, 100, 4650), (101, nil, 4300)],
             [(1, 100, 6350), (101, nil, 5900)]),
        ]
        for (client, mode, currency, scale, base, ct, mr) in abroad {
            t += schedule(client: client, mode: mode, currency: currency, scale: scale, base)
            t += schedule(client: client, modality: "CT", mode: mode, currency: currency, scale: scale, ct)
            t += schedule(client: client, modality: "MR", mode: mode, currency: currency, scale: scale, mr)
        }
        return t
    }()

    /// The yearly revision from 2026-01-01: every price up 4 %, rounded to a step a person would write.
    static var clientCard2026: [Tier] {
        clientCard2025.map { t in
            var r = t
            r.price = revised(t.price, percent: 104, step: priceStep(t.currency, scale: t.scale))
            return r
        }
    }

    /// The 2026-01-01 card as agreed at the end of January: the revision plus a renegotiated schedule for
    /// one client. It replaces the whole card of that date, retroactively for January.
    static var clientCard2026Agreed: [Tier] {
        var t = clientCard2026
        let c = DemoClient.retroactiveId
        t += schedule(client: c, mode: "graduated", currency: "INR", scale: 0, [(1, 150, 500), (151, nil, 440)])
        t += schedule(client: c, modality: "CT", mode: "graduated", currency: "INR", scale: 0, [(1, 150, 990), (151, nil, 920)])
        t += schedule(client: c, modality: "MR", mode: "graduated", currency: "INR", scale: 0, [(1, 150, 1380), (151, nil, 1290)])
        return t
    }

    static func clientCardCSV(_ tiers: [Tier], effectiveFrom: String) -> String {
        DemoCSV.text(
            header: ["effective_from", "client_id", "contract_type", "modality", "urgency", "tier_from", "tier_to",
                     "unit_price", "currency", "tier_mode"],
            rows: tiers.map { t in
                [effectiveFrom, t.client, t.contract, t.modality, t.urgency, String(t.from), t.to.map(String.init) ?? "",
                 decimal(t.price, scale: t.scale), t.currency, t.mode]
            })
    }

    // MARK: Provider cards

    /// What radiologists are paid from 2025-01-01: a fallback row, grade rows with seniority
    /// bands, stat rows, per-image rates for CT and MR, and one row paid in USD.
    static let providerCard2025: [PayRow] = [
        PayRow(perReport: 150, scale: 0, currency: "INR"),
        PayRow(urgency: "stat", perReport: 190, scale: 0, currency: "INR"),
        PayRow(modality: "MR", perReport: 28000, perImage: 150, scale: 2, currency: "INR"),
        PayRow(grade: "consultant", perReport: 260, scale: 0, currency: "INR"),
        PayRow(grade: "consultant", minSeniority: 10, perReport: 290, scale: 0, currency: "INR"),
        PayRow(grade: "consultant", minSeniority: 20, perReport: 330, scale: 0, currency: "INR"),
        PayRow(grade: "consultant", urgency: "stat", perReport: 340, scale: 0, currency: "INR"),
        PayRow(grade: "consultant", modality: "CT", perReport: 30000, perImage: 150, scale: 2, currency: "INR"),
        PayRow(grade: "consultant", modality: "CT", minSeniority: 15, perReport: 33000, perImage: 150, scale: 2, currency: "INR"),
        PayRow(grade: "consultant", modality: "MR", perReport: 36000, perImage: 225, scale: 2, currency: "INR"),
        PayRow(grade: "consultant", modality: "MR", urgency: "stat", minSeniority: 15, perReport: 725, perImage: 3, scale: 2,
               currency: "USD"),
        PayRow(grade: "senior", perReport: 200, scale: 0, currency: "INR"),
        PayRow(grade: "senior", minSeniority: 8, perReport: 225, scale: 0, currency: "INR"),
        PayRow(grade: "senior", urgency: "stat", perReport: 260, scale: 0, currency: "INR"),
        PayRow(grade: "senior", modality: "CT", perReport: 24000, perImage: 120, scale: 2, currency: "INR"),
        PayRow(grade: "senior", modality: "MR", perReport: 29000, perImage: 180, scale: 2, currency: "INR"),
        PayRow(grade: "junior", perReport: 130, scale: 0, currency: "INR"),
        PayRow(grade: "junior", modality: "CT", perReport: 17000, perImage: 100, scale: 2, currency: "INR"),
    ]

    /// From 2026-04-01 radiologists are paid 5 % more.
    static var providerCard2026: [PayRow] {
        providerCard2025.map { r in
            var x = r
            let step = priceStep(r.currency, scale: r.scale)
            x.perReport = revised(r.perReport, percent: 105, step: step)
            x.perImage = revised(r.perImage, percent: 105, step: 1)
            return x
        }
    }

    static func providerCardCSV(_ rows: [PayRow], effectiveFrom: String) -> String {
        DemoCSV.text(
            header: ["effective_from", "grade", "modality", "urgency", "min_seniority_years", "rate_per_report",
                     "rate_per_image", "currency"],
            rows: rows.map { r in
                [effectiveFrom, r.grade, r.modality, r.urgency, String(r.minSeniority), decimal(r.perReport, scale: r.scale),
                 r.perImage == 0 ? "" : decimal(r.perImage, scale: r.scale), r.currency]
            })
    }

    // MARK: FX

    /// Units of INR per unit of each currency on the first day of `period`: a seeded random walk
    /// around plausible 2025–26 levels, with six, four or two decimals as a treasury desk sends them.
    static func fxRates(_ period: Period) -> [(currency: String, rate: String)] {
        // (currency, start in 10^-scale INR, scale, largest monthly move, drift per month)
        let walks: [(String, Int, Int, Int, Int)] = [
            ("USD", 840_500, 4, 4_000, 1_200), ("EUR", 912_000, 4, 8_000, 900),
            ("JPY", 558_000, 6, 6_000, 500), ("KWD", 2_736_000, 4, 9_000, 3_500),
        ]
        let steps = (period.year * 12 + period.month) - (firstPeriod.year * 12 + firstPeriod.month)
        return walks.enumerated().map { i, w in
            var rng = SplitMix64([3, UInt64(i)])
            var v = w.1
            for _ in 0..<max(0, steps) { v += w.4 + rng.int(in: -w.3...w.3) }
            return (w.0, decimal(v, scale: w.2))
        }
    }

    static func fxCSV(_ period: Period) -> String {
        DemoCSV.text(header: ["date", "currency", "rate"],
                     rows: fxRates(period).map { [period.firstDay.description, $0.currency, $0.rate] })
    }

    // MARK: Arithmetic on integer prices

    /// `value × percent / 100`, rounded half up to a multiple of `step`.
    static func revised(_ value: Int, percent: Int, step: Int) -> Int {
        let scaled = value * percent
        let unit = 100 * step
        return (scaled + unit / 2) / unit * step
    }

    /// Revised prices land on whole rupees (five rupees on list prices), ten yen, or five cents or fils.
    static func priceStep(_ currency: String, scale: Int) -> Int {
        switch currency {
        case "INR": return scale == 0 ? 5 : 100
        case "JPY": return 10
        default: return 5
        }
    }

    static func decimal(_ value: Int, scale: Int) -> String {
        ExactDecimal(mantissa: Int128(value), scale: scale).description
    }
}
