import XLSX

/// The `Trends` sheet of a review: for each soft-flagged party, the ratio that drove its flag
/// over its last 12 months (closed periods from the ledger, this period as reviewed), one
/// line chart each, so a reviewer sees whether the month is a step, a spike or a drift.
enum ReviewTrendSheet {
    /// Charts beyond this many are left out (the table still lists every flag).
    static let chartLimit = 40
    static let months = 12

    static func write(_ review: PeriodReview, state: SiteState, _ book: Workbook) throws {
        let flags = review.softFlags.map(\.flag).sorted { $0.id < $1.id }
        guard !flags.isEmpty else { return }
        let sheet = try book.addWorksheet(named: "Trends")
        var periods: [Period] = [review.period]
        while periods.count < months { periods.insert(periods[0].previous, at: 0) }
        let headers = ["flag_id", "subject", "measure"] + periods.map(\.description)
        for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 0, column: c, style: .header) }
        let number = CellStyle().with { $0.numberFormat = .decimal(fractionDigits: 2) }
        let shown = monthsShown(review, periods: periods, state: state)
        for (i, flag) in flags.enumerated() {
            let row = i + 1
            let measure = Measure(code: flag.code)
            try sheet.write(text: flag.id, row: row, column: 0)
            try sheet.write(text: flag.subject, row: row, column: 1)
            try sheet.write(text: measure.label, row: row, column: 2)
            let kind = party(of: flag, review.stats)
            var seen = false
            for (k, p) in periods.enumerated() {
                guard let month = p == review.period ? review.stats : shown.stats[p] else { continue }  // open when it closed
                let stats = month.filter { $0.party == kind && $0.partyId == flag.subject }
                seen = seen || !stats.isEmpty
                // A month of no reports after its first is 0 reports, not a gap: the line drawn
                // across a gap hid the jump from none that raised the flag.
                let value = measure.value(stats) ?? (seen && measure.code == "SOFT_VOLUME_GROWTH" ? 0 : nil)
                if let value { try sheet.write(number: value, row: row, column: 3 + k, style: number) }
            }
        }
        if !shown.openAtClose.isEmpty {
            try sheet.write(text: "Left blank: \(shown.openAtClose.map(\.description).joined(separator: ", ")), still open when "
                + "\(review.period) closed; the figures its flags were scored on then are in each flag's reason.",
                            row: flags.count + 1, column: 0)
        }
        try sheet.freezePanes(row: 1, column: 3)
        try sheet.setColumnWidth(16, columns: 0...0)
        try sheet.setColumnWidth(IdColumnWidth.width(flags.map(\.subject), atLeast: 16), columns: 1...1)
        try sheet.setColumnWidth(16, columns: 2...2)
        try sheet.setColumnWidth(9, columns: 3...(headers.count - 1))
        try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
        for (i, flag) in flags.prefix(chartLimit).enumerated() {
            let measure = Measure(code: flag.code)
            var chart = ChartSpec(
                kind: .line, title: "\(flag.subject): \(measure.label), last \(months) months",
                categoryAxisTitle: "period", valueAxisTitle: measure.label,
                series: [.init(name: flag.subject, sheet: sheet.name,
                               categories: CellRange(row: 0, columns: 3...(headers.count - 1)),
                               values: CellRange(row: i + 1, columns: 3...(headers.count - 1)))])
            chart.markers = true  // a month between blanks (the one closed while the month before was open) is seen
            // Two a row, each 18 rows tall and some 8.4 columns wide as drawn: 20 rows and 9
            // columns apart, so none covers another.
            try sheet.insert(chart: chart, row: flags.count + 2 + (i / 2) * 20, column: (i % 2) * 9)
        }
    }

    /// Each earlier month's statistics as the sheet shows them. A running month's review shows
    /// the months still open as its findings were scored on them (as their reports stand). A
    /// final one (a close, or a closed month's written again) shows only the months closed
    /// before it: one still open then was scored as it stood, which no later state gives back
    /// (closed since, its exclusions made, it reads otherwise), so it is left blank and named,
    /// and the review reads the same whenever it is written.
    static func monthsShown(_ review: PeriodReview, periods: [Period], state: SiteState)
        -> (stats: [Period: [PartyPeriodStats]], openAtClose: [Period]) {
        let closedAt = state.closedPeriods[review.period]
        var stats: [Period: [PartyPeriodStats]] = [:]
        for (p, month) in state.decodedClosedStats() where p < review.period {
            // Closed before this one (or this one closing now): as recorded.
            if let seq = state.closedPeriods[p], closedAt.map({ seq < $0 }) ?? true { stats[p] = month }
        }
        if !review.softFlagsFinal {
            for s in review.openMonthsScored { if let p = Period(s.period) { stats[p, default: []].append(s) } }
            return (stats, [])
        }
        let openNow = Set(state.openPeriods)
        let open = periods.filter { p in p < review.period && stats[p] == nil && (state.closedPeriods[p] != nil || openNow.contains(p)) }
        return (stats, open)
    }

    /// The kind of party a soft flag names: a client when one of that id was reviewed.
    static func party(of flag: AuditFlag, _ stats: [PartyPeriodStats]) -> PartyPeriodStats.Party {
        stats.contains { $0.party == .client && $0.partyId == flag.subject } ? .client : .radiologist
    }

    /// The ratio a flag code is about, computed from a party's totals in one period.
    struct Measure {
        let code: String

        var label: String {
            switch code {
            case "SOFT_COST_PER_CASE": return "cost per case"
            case "SOFT_MARGIN": return "margin %"
            case "SOFT_VOLUME_GROWTH": return "reports"
            case "SOFT_REVENUE_PER_CASE": return "revenue per case"
            default: return "images per case"
            }
        }

        func value(_ stats: [PartyPeriodStats]) -> Double? {
            let reports = Double(stats.reduce(0) { $0 + $1.reports })
            guard reports > 0 else { return nil }
            let images = Double(stats.reduce(0) { $0 + $1.images })
            let revenue = stats.reduce(0.0) { $0 + $1.revenueBase }, cost = stats.reduce(0.0) { $0 + $1.costBase }
            // A month whose money an FX gap left unknown shows no money ratio, not a 0.
            let revenueKnown = stats.allSatisfy(\.revenueKnown), costKnown = stats.allSatisfy(\.costKnown)
            switch code {
            case "SOFT_COST_PER_CASE" where !costKnown, "SOFT_REVENUE_PER_CASE" where !revenueKnown: return nil
            case "SOFT_MARGIN" where !(costKnown && revenueKnown): return nil
            case "SOFT_COST_PER_CASE": return cost / reports
            case "SOFT_MARGIN": return revenue > 0 ? (revenue - cost) / revenue * 100 : nil
            case "SOFT_VOLUME_GROWTH": return reports
            case "SOFT_REVENUE_PER_CASE": return revenue / reports
            default: return images / reports
            }
        }
    }
}
