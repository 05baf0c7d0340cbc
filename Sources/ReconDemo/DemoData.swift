import ReconKit

/// The demo site's year of history, generated from a fixed seed: the same on every run.
///
/// Twenty-four hospitals in INR, USD, EUR, JPY and KWD, fifteen radiologists, rate cards with
/// both tier modes, monthly FX rates, and about five thousand reports a month. A few stories
/// are written into the history for the auditor: a mature client whose images per case jump
/// sevenfold in one month (each case still within its contract), a mature client whose volume
/// jumps tenfold, a radiologist whose images per case spike, and a young client growing tenfold
/// month over month, which is ordinary at its age.
struct DemoData {
    static let siteName = "recon-demo"
    static let baseCurrency = "INR"
    static let timezone = "Asia/Kolkata"
    /// Asia/Kolkata has no daylight saving: every local time is UTC+05:30.
    static let utcOffset = "+05:30"
    static let utcOffsetSeconds = 19_800

    /// The first month of history, the last one closed, and the month running today.
    static let firstPeriod = Period(year: 2025, month: 11)
    static let lastClosed = Period(year: 2026, month: 10)
    static let current = Period(year: 2026, month: 11)
    /// The running month holds reports up to this day.
    static let currentThroughDay = 20

    /// The demo's `[seller]`: a Bengaluru company, so Karnataka clients pay CGST + SGST.
    static let seller = SellerDetails(
        legalName: "Recon Demo Teleradiology Pvt Ltd", address: ["4th Floor, 12 MG Road", "Bengaluru 560001", "Karnataka, India"],
        taxId: "29AABCR1234F1Z5", email: "billing@recon-demo.example",
        paymentInstructions: "HDFC Bank, MG Road branch — IFSC HDFC0000123, account 50200012345678 (SWIFT HDFCINBB)")
    let clients = DemoClient.roster
    let radiologists = DemoRadiologist.roster

    /// Every month of history, oldest first, the running month last.
    static var periods: [Period] {
        var out: [Period] = []
        var p = firstPeriod
        while p <= current {
            out.append(p)
            p = p.next
        }
        return out
    }

    /// A `clients` drop: every client but the young one, or the young one alone.
    func clientsCSV(young: Bool) -> String {
        DemoCSV.text(header: DemoClient.csvHeader, rows: clients.filter { $0.isYoung == young }.map(\.csvFields))
    }

    func radiologistsCSV() -> String {
        DemoCSV.text(header: DemoRadiologist.csvHeader, rows: radiologists.map(\.csvFields))
    }

    // MARK: Usage

    /// One month of usage and what finance decides about its over-contract reports.
    struct Month {
        var period: Period
        /// Chronological.
        var reports: [DemoReport]
        /// Report id → the decision finance takes on its `IMAGES_OVER_CONTRACT` flag.
        var intended: [String: (decision: DecisionKind, note: String)]

        /// Reports signed on days `range` of the month, as a `usage` drop.
        func csv(days range: ClosedRange<Int>) -> String {
            DemoCSV.text(header: DemoReport.csvHeader,
                         rows: reports.filter { range.contains($0.day.components.day) }.map(\.csvFields))
        }
    }

    /// The usage of `period` (up to ``currentThroughDay`` for the running month).
    func month(_ period: Period) -> Month {
        let days = period == DemoData.current ? DemoData.currentThroughDay : period.lastDay.components.day
        var all: [DemoReport] = []
        for (index, client) in clients.enumerated() {
            var rng = SplitMix64([1, UInt64(index), UInt64(period.year * 12 + period.month)])
            all += reports(of: client, in: period, days: days, rng: &rng)
        }
        all.sort(by: DemoReport.chronological)
        var intended: [String: (DecisionKind, String)] = [:]
        var rng = SplitMix64([2, UInt64(period.year * 12 + period.month)])
        let maxima = Dictionary(uniqueKeysWithValues: clients.map { ($0.id, $0.maxImagesPerCase) })
        let eligible = all.indices.filter { all[$0].clientId != DemoClient.youngId }
        let count = period == DemoData.current ? 2 : 3 + rng.below(3)
        var picked: [Int] = []
        while picked.count < count {
            let i = eligible[rng.below(eligible.count)]
            if !picked.contains(i) { picked.append(i) }
        }
        for i in picked {
            let max = maxima[all[i].clientId] ?? 40
            all[i].images = max + 1 + rng.below(max)
            intended[all[i].id] = (.approve, DemoData.approveNotes[rng.below(DemoData.approveNotes.count)])
        }
        // Finance excludes the largest case in about half the months, and two in March.
        let exclusions = period == Period(year: 2026, month: 3) ? 2 : (rng.chance(0.5) ? 1 : 0)
        for i in picked.sorted(by: { all[$0].images > all[$1].images }).prefix(exclusions) {
            intended[all[i].id] = (.exclude, "same series uploaded twice by the client's PACS; excluded, client notified")
        }
        return Month(period: period, reports: all, intended: intended)
    }

    static let approveNotes = [
        "multi-phase study, clinically justified",
        "trauma protocol, agreed with the client's radiology lead",
        "follow-up series requested by the referring physician",
        "contrast and non-contrast series, approved per contract annex",
    ]

    /// Reports of one client in one month, chronological, with ids `CODE-YYMM-NNNNN`.
    private func reports(of client: DemoClient, in period: Period, days: Int, rng: inout SplitMix64) -> [DemoReport] {
        let n = volume(of: client, in: period, days: days, rng: &rng)
        guard n > 0 else { return [] }
        let first = period.firstDay.dayNumber
        // Weekends are quieter (1970-01-01 was a Thursday: day number + 4 mod 7 is 0 on Sundays).
        let dayWeights = (0..<Int32(days)).map { d in [0, 6].contains((first + d + 4) % 7) ? 6 : 10 }
        let readers = DemoClient.modalities.map { m in radiologists.filter { $0.reads(m.code) } }
        let readerWeights = readers.map { $0.map(\.weight) }
        var out: [DemoReport] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let day = LocalDate(dayNumber: first + Int32(rng.weighted(dayWeights)))
            let second = rng.weighted(DemoData.hourWeights) * 3600 + rng.below(3600)
            let modality = rng.weighted(client.mix)
            let m = DemoClient.modalities[modality]
            var images = rng.int(in: m.images)
            if case .imageJump(let p, let factor) = client.story, p == period {
                images = min(images * factor, client.maxImagesPerCase)
            }
            let rad = readers[modality][rng.weighted(readerWeights[modality])]
            if let spike = rad.imageSpike, spike.period == period {
                images = min(images * spike.factor, client.maxImagesPerCase)
            }
            out.append(DemoReport(id: "", day: day, second: second, clientId: client.id, radiologistId: rad.id,
                                  modality: m.code, images: images, stat: rng.chance(0.12)))
        }
        out.sort(by: DemoReport.chronological)
        let prefix = "\(client.code)-\(Digits.padded(period.year % 100, 2))\(Digits.padded(period.month, 2))-"
        for i in out.indices { out[i].id = prefix + Digits.padded(i + 1, 5) }
        return out
    }

    /// Reports in the month: the client's usual volume with season and noise, or its story's.
    private func volume(of client: DemoClient, in period: Period, days: Int, rng: inout SplitMix64) -> Int {
        let noise = 0.92 + 0.16 * rng.unit()
        let share = Double(days) / 30
        switch client.story {
        case .young(let table):
            if let n = table[period] { return n }
            guard let last = table.keys.max(), period > last else { return 0 }
            return Int((Double(client.monthlyReports) * share * noise).rounded())
        case .volumeJump(let p, let factor) where p == period:
            return Int((Double(client.monthlyReports * factor) * share * noise).rounded())
        default:
            let season = DemoData.season[period.month - 1]
            return Int((Double(client.monthlyReports) * share * season * noise).rounded())
        }
    }

    /// Reading is busiest in hospital hours (local time).
    static let hourWeights = [1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    /// January catches up after December's holidays.
    static let season = [1.04, 0.98, 1.02, 0.97, 0.95, 0.96, 1.0, 1.01, 1.03, 1.0, 1.02, 0.93]

    /// The client whose late September reports are found after the close.
    static let lateClientId = "C-LAKESIDE-US"
    /// The radiologists who read them (each gets a payout adjustment and a new statement).
    static let lateReaders = ["R-CHEN", "R-DIAZ", "R-LOPEZ"]

    /// Twelve reports of 28–30 September 2026 from the client's backup PACS, dropped after the close.
    func lateUsageCSV() -> String {
        let cases: [(day: Int, time: String, reader: Int, modality: String, images: Int, stat: Bool)] = [
            (28, "09:12:40", 0, "CT", 4, false), (28, "10:03:05", 1, "XR", 2, false), (28, "13:47:51", 2, "US", 3, false),
            (28, "16:20:18", 0, "MR", 6, true), (29, "08:55:02", 1, "CT", 5, false), (29, "11:31:26", 2, "XR", 1, false),
            (29, "14:09:33", 0, "CT", 3, false), (29, "19:44:10", 1, "MR", 7, false), (30, "09:38:57", 2, "CT", 4, true),
            (30, "12:16:44", 0, "XR", 2, false), (30, "15:02:29", 1, "US", 2, false), (30, "18:27:03", 0, "CT", 5, false),
        ]
        let rows = cases.enumerated().map { i, c in
            ["LAKESIDE-2609-B\(Digits.padded(i + 1, 4))", "2026-09-\(c.day)T\(c.time)\(DemoData.utcOffset)", DemoData.lateClientId,
             DemoData.lateReaders[c.reader], c.modality, String(c.images), c.stat ? "stat" : "routine"]
        }
        return DemoCSV.text(header: DemoReport.csvHeader, rows: rows)
    }

    /// A `usage` drop that cannot be accepted: an impossible date and a client nobody has heard of.
    func rejectedUsageCSV() -> String {
        DemoCSV.text(header: DemoReport.csvHeader, rows: [
            ["WALKIN-2603-00001", "2026-03-18T11:20:00+05:30", "C-LOTUS-BLR", "R-IYER", "XR", "2", "routine"],
            ["WALKIN-2603-00002", "2026-03-32T09:05:00+05:30", "C-LOTUS-BLR", "R-FARAH", "US", "3", "routine"],
            ["WALKIN-2603-00003", "2026-03-19T16:40:00+05:30", "C-CITYCARE-BLR", "R-IYER", "XR", "1", "stat"],
        ])
    }
}
