import Foundation

/// Turns the history of party-period totals into the behaviour features the soft gate
/// scores: how a party's ratios moved against its own recent past, not raw totals, so a
/// large client and a small one, or a CT-heavy one and an X-ray one, are judged on how
/// their behaviour changed rather than on what they are.
///
/// **Measures**, per party-period, in the units people read: images per case, cost per
/// case, revenue per case and margin (clients only for the last two: a radiologist has
/// no revenue), volume growth, and the account's age in months.
///
/// **Own baseline.** For each ratio, the median of the party's value over its periods in
/// the three calendar months before (periods with fewer than the minimum reports left
/// out). For volume, the median report count over the three months before, a month
/// without reports counting as 0 once the party has appeared; with only one or two
/// earlier months, those. Using a median rather than the single previous period keeps
/// one unusual month from making the month after it look unusual too.
///
/// **Signals** (what the forest sees), transformed so heavy tails do not dominate: the
/// log ratio of a per-case ratio to its own baseline, ln(level / baseline); for the
/// margin, the change of the log markup ln(revenue / cost); for volume, the log growth
/// ln((reports + 1) / (baseline + 1)). A client's signals are images per case, margin
/// and volume; a radiologist's images per case, cost per case and volume. A client's
/// cost and revenue per case are reported but not signals: both follow its case mix,
/// and their relation is the margin. Few columns keep the forest sharp: it isolates a
/// point along one randomly chosen column at a time, so a column that carries nothing
/// dilutes the ones that do. Age is not a signal either: it chooses the peer group.
public enum FeatureBuilder {
    /// One measure of a party-period.
    public enum Feature: String, CaseIterable, Sendable, Hashable {
        /// images / reports.
        case imagesPerCase = "images_per_case"
        /// payout cost / reports, in the base currency.
        case costPerCase = "cost_per_case"
        /// revenue / reports, in the base currency; clients only.
        case revenuePerCase = "revenue_per_case"
        /// (revenue − cost) / revenue, a fraction; clients only.
        case margin = "margin"
        /// reports / the baseline report count.
        case volumeGrowth = "volume_growth"
        /// The account's age in months.
        case age = "age_months"

        /// The measures reported for a kind of party, in a fixed order.
        public static func measures(for party: PartyPeriodStats.Party) -> [Feature] {
            switch party {
            case .client: return [.imagesPerCase, .costPerCase, .revenuePerCase, .margin, .volumeGrowth, .age]
            case .radiologist: return [.imagesPerCase, .costPerCase, .volumeGrowth, .age]
            }
        }

        /// The measures whose change the forest scores for a kind of party, in order.
        public static func signals(for party: PartyPeriodStats.Party) -> [Feature] {
            switch party {
            case .client: return [.imagesPerCase, .margin, .volumeGrowth]
            case .radiologist: return [.imagesPerCase, .costPerCase, .volumeGrowth]
            }
        }

        /// Words for a reason: "images per case".
        public var label: String {
            switch self {
            case .imagesPerCase: return "images per case"
            case .costPerCase: return "cost per case"
            case .revenuePerCase: return "revenue per case"
            case .margin: return "margin"
            case .volumeGrowth: return "volume growth"
            case .age: return "age in months"
            }
        }

        /// The soft flag code when this measure drives a flag: `SOFT_IMAGES_PER_CASE`.
        public var flagCode: String {
            "SOFT_" + rawValue.uppercased()
        }

        /// Whether a fall may be flagged. A fall in volume is a commercial matter, not
        /// an audit finding; a fall in any ratio may be a billing error.
        public var flagsFalls: Bool { self != .volumeGrowth }

        /// A value written for people: `3.4`, `1250.00`, `38.5%`, `×1.08`, `27`.
        public func format(_ value: Double) -> String {
            switch self {
            case .imagesPerCase: return String(format: "%.1f", value)
            case .costPerCase, .revenuePerCase: return String(format: "%.2f", value)
            case .margin: return String(format: "%.1f%%", value * 100)
            case .volumeGrowth: return String(format: "×%.2f", value)
            case .age: return String(format: "%.0f", value)
            }
        }

        /// The transformed level whose difference from the baseline's is the signal.
        func transform(_ value: Double) -> Double {
            switch self {
            case .imagesPerCase: return log(max(value, 1e-6))
            case .costPerCase, .revenuePerCase: return log1p(max(value, 0))
            case .margin: return -log(max(1 - value, 1e-6))
            case .volumeGrowth: return log(max(value, 1e-6))
            case .age: return log1p(max(value, 0))
            }
        }
    }

    /// The measures of one party in one period, beside its own baseline.
    ///
    /// A class: the soft gate sorts a year's rows into peer groups by filtering them several
    /// times a command, and a reference is copied where a struct of six maps (some 500 bytes)
    /// was.
    public final class Row: Sendable, Equatable {
        /// Client or radiologist.
        public let party: PartyPeriodStats.Party
        /// The party's id.
        public let partyId: String
        /// The period, `YYYY-MM`.
        public let period: String
        /// The account's age in months.
        public let ageMonths: Int
        /// Reports in the period.
        public let reports: Int
        /// The share of the period elapsed (1 once it has ended): a month still running has
        /// its volume compared at its pace so far.
        public let elapsed: Double
        /// The period's values; margin is absent without revenue, volume growth in the
        /// party's first period.
        public let values: FeatureMap<Double>
        /// The party's own baseline: for a ratio, its median over the previous periods;
        /// for volume growth, the baseline report count. Absent when there is none.
        public let baseline: FeatureMap<Double>
        /// The lowest and highest of the party's own values over the baseline months (for
        /// volume growth, report counts): its own recent range, for reasons.
        public let ownRange: FeatureMap<ClosedRange<Double>>
        /// How many months ``ownRange`` spans: a month of too few reports has no ratios, so a
        /// baseline of the last three months may hold two or one.
        public var ownMonths = FeatureMap<Int>()
        /// The lowest and highest of the party's own ratios over the twelve months before (its
        /// usual span): a fall to a level it had within the year is a return, not a drift.
        public var ownYear = FeatureMap<ClosedRange<Double>>()
        /// The signals: transformed change against the baseline, for each signal
        /// measure that has one.
        public let changes: FeatureMap<Double>

        public init(party: PartyPeriodStats.Party, partyId: String, period: String, ageMonths: Int, reports: Int, elapsed: Double = 1,
                    values: FeatureMap<Double>, baseline: FeatureMap<Double>, ownRange: FeatureMap<ClosedRange<Double>>,
                    changes: FeatureMap<Double>) {
            self.party = party
            self.partyId = partyId
            self.period = period
            self.ageMonths = ageMonths
            self.reports = reports
            self.elapsed = elapsed
            self.values = values
            self.baseline = baseline
            self.ownRange = ownRange
            self.changes = changes
        }

        /// The same measures of the same party-period (not the same object).
        public static func == (a: Row, b: Row) -> Bool {
            a.party == b.party && a.partyId == b.partyId && a.period == b.period && a.ageMonths == b.ageMonths
                && a.reports == b.reports && a.elapsed == b.elapsed && a.values == b.values && a.baseline == b.baseline && a.ownRange == b.ownRange
                && a.changes == b.changes
        }
    }

    /// Calendar months before a period that make up a party's own baseline.
    public static let baselineMonths = 3

    /// The rows of every party-period in `history` up to and including `period`, ordered
    /// by period, party and id.
    ///
    /// Rows of the same party and period are added together (the larger age kept); rows
    /// with a malformed period are ignored. Party-periods with fewer than
    /// `minimumReports` reports get no row (their ratios are noise) but still count in
    /// the volume baseline of the periods after them.
    public static func rows(history: [PartyPeriodStats], through period: String, minimumReports: Int, youngMonths: Int = 12) -> [Row] {
        guard let last = monthIndex(period) else { return [] }
        // Each party's periods, in the order the history gives them.
        var partyNumbers: [PartyKey: Int] = [:]
        var parties: [PartyKey] = []
        var periods: [[(month: Int, stats: PartyPeriodStats)]] = []
        for stats in history {
            guard let month = monthIndex(stats.period), month <= last else { continue }
            let key = PartyKey(party: stats.party, partyId: stats.partyId)
            let p: Int
            if let known = partyNumbers[key] {
                p = known
            } else {
                p = parties.count
                partyNumbers[key] = p
                parties.append(key)
                periods.append([])
            }
            periods[p].append((month, stats))
        }
        var built: [(month: Int, party: Int, row: Row)] = []
        built.reserveCapacity(history.count)
        for p in parties.indices {
            for (month, row) in partyRows(merged(periods[p]), minimumReports: max(minimumReports, 1), youngMonths: youngMonths) {
                built.append((month, p, row))
            }
        }
        // Ordered by period, party and id: parties are ranked once, rows by one integer each
        // (month, then rank), sorted apart from the rows they stand for.
        var rank = [Int](repeating: 0, count: parties.count)
        for (r, p) in parties.indices.sorted(by: { (parties[$0].party, parties[$0].partyId) < (parties[$1].party, parties[$1].partyId) }).enumerated() {
            rank[p] = r
        }
        var order = built.indices.map { (key: built[$0].month * parties.count + rank[built[$0].party], at: $0) }
        order.sort { $0.key < $1.key }
        return order.map { built[$0.at].row }
    }

    /// Whether ``rows(history:through:minimumReports:youngMonths:)`` holds a row of `period`
    /// itself: whether a party's reports in it, its rows of that month added together, reach
    /// `minimumReports`. Read without building any row.
    public static func hasRow(in history: [PartyPeriodStats], period: String, minimumReports: Int) -> Bool {
        guard let month = monthIndex(period) else { return false }
        var reports: [PartyKey: Int] = [:]
        for stats in history where monthIndex(stats.period) == month {
            let key = PartyKey(party: stats.party, partyId: stats.partyId)
            let total = reports[key, default: 0] + stats.reports
            if total >= max(minimumReports, 1) { return true }
            reports[key] = total
        }
        return false
    }

    /// One party's periods by month, rows of the same month added together in the order
    /// given (the larger age and the smaller elapsed share kept), oldest month first.
    private static func merged(_ periods: [(month: Int, stats: PartyPeriodStats)]) -> [(month: Int, stats: PartyPeriodStats)] {
        // As the history gives them, one a month in order: nothing to sort or add (every party, every drop).
        if zip(periods, periods.dropFirst()).allSatisfy({ $0.month < $1.month }) { return periods }
        var out: [(month: Int, stats: PartyPeriodStats)] = []
        for (month, stats) in periods.enumerated().sorted(by: { ($0.element.month, $0.offset) < ($1.element.month, $1.offset) }).map(\.element) {
            guard out.last?.month == month else {
                out.append((month, stats))
                continue
            }
            add(stats, to: &out[out.count - 1].stats)
        }
        return out
    }

    private static func add(_ stats: PartyPeriodStats, to total: inout PartyPeriodStats) {
        total.reports += stats.reports
        total.images += stats.images
        total.revenueBase += stats.revenueBase
        total.costBase += stats.costBase
        total.revenueKnown = total.revenueKnown && stats.revenueKnown
        total.costKnown = total.costKnown && stats.costKnown
        total.ageMonths = max(total.ageMonths, stats.ageMonths)
        total.elapsed = min(total.elapsed, stats.elapsed)
    }

    /// The months since year 0 of a `YYYY-MM` period, or nil if it is not one.
    public static func monthIndex(_ period: String) -> Int? {
        // As a period is written (seven ASCII bytes), read off its bytes; any other text as ever.
        if let index = period.utf8.withContiguousStorageIfAvailable(canonicalMonthIndex) { return index ?? splitMonthIndex(period) }
        return splitMonthIndex(period)
    }

    /// `YYYY-MM` in ASCII digits, or nil for any other bytes.
    private static func canonicalMonthIndex(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard b.count == 7, b[4] == UInt8(ascii: "-") else { return nil }
        func digit(_ k: Int) -> Int? { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[k]) ? Int(b[k] - UInt8(ascii: "0")) : nil }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3), let m0 = digit(5), let m1 = digit(6) else { return nil }
        let year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3, month = m0 * 10 + m1
        return (1...12).contains(month) ? year * 12 + (month - 1) : nil
    }

    private static func splitMonthIndex(_ period: String) -> Int? {
        let parts = period.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month)
        else { return nil }
        return year * 12 + (month - 1)
    }

    /// The rows of one party, from its periods by month index, oldest first and one a month.
    private static func partyRows(_ periods: [(month: Int, stats: PartyPeriodStats)], minimumReports: Int, youngMonths: Int) -> [(month: Int, row: Row)] {
        guard let first = periods.first?.month, let lastMonth = periods.last?.month else { return [] }
        // Months from the party's first, as offsets: months[k - first].
        var months = [PartyPeriodStats?](repeating: nil, count: lastMonth - first + 1)
        var levels = [FeatureMap<Double>?](repeating: nil, count: months.count)
        for (month, stats) in periods {
            months[month - first] = stats
            if stats.reports >= minimumReports { levels[month - first] = ratios(stats) }
        }
        func reportCount(_ month: Int) -> Double { Double(months[month - first]?.reports ?? 0) }
        var rows: [(month: Int, row: Row)] = []
        for (month, stats) in periods {
            guard var values = levels[month - first] else { continue }
            var baseline = FeatureMap<Double>()
            var changes = FeatureMap<Double>()
            var ownRange = FeatureMap<ClosedRange<Double>>()
            var ownMonths = FeatureMap<Int>()
            var ownYear = FeatureMap<ClosedRange<Double>>()
            let year = max(first, month - 12)..<month
            let window = max(first, month - baselineMonths)..<month
            for feature in ratioMeasures {
                var earlier = BaselineValues()
                for m in window { if let level = levels[m - first]?[feature] { earlier.append(level) } }
                guard let value = values[feature], let own = earlier.median, let ownTransformed = earlier.map(feature.transform).median
                else { continue }
                baseline[feature] = own
                ownRange[feature] = earlier.min!...earlier.max!
                ownMonths[feature] = earlier.count
                let levelsOfYear = year.compactMap { levels[$0 - first]?[feature] }
                if let low = levelsOfYear.min(), let high = levelsOfYear.max() { ownYear[feature] = low...high }
                changes[feature] = feature.transform(value) - ownTransformed
            }
            // A young account's growth is shown against its previous month alone (the months
            // before still hold its ramp-up), but never judged: SPEC §4 reads age as context,
            // and a young client that grows tenfold is ordinary — scaling up is what young
            // accounts do, from a pilot or after a few steady months alike. Its other ratios
            // (images, cost, revenue per case, margin) are still read.
            let young = stats.ageMonths < youngMonths
            let base = young ? (month - 1)..<month : window
            if !window.isEmpty, let own = BaselineValues(base, reportCount).median {
                // A month still running is compared per elapsed day.
                let reports = Double(stats.reports) / min(max(stats.elapsed, 1e-3), 1)
                values[.volumeGrowth] = own > 0 ? reports / own : reports
                baseline[.volumeGrowth] = own
                let counts = BaselineValues(window, reportCount)
                ownRange[.volumeGrowth] = counts.min!...counts.max!
                ownMonths[.volumeGrowth] = counts.count
                if !young {
                    changes[.volumeGrowth] = log((reports + 1) / (own + 1))
                }
            }
            var row = Row(
                party: stats.party, partyId: stats.partyId, period: stats.period, ageMonths: stats.ageMonths,
                reports: stats.reports, elapsed: min(max(stats.elapsed, 1e-3), 1), values: values, baseline: baseline, ownRange: ownRange, changes: changes)
            row.ownMonths = ownMonths
            row.ownYear = ownYear
            rows.append((month, row))
        }
        return rows
    }

    /// Images per case, cost per case, and for a client with revenue, revenue per case
    /// and margin; plus the age. A figure an FX gap left unknown gives no ratio.
    private static func ratios(_ stats: PartyPeriodStats) -> FeatureMap<Double> {
        let reports = Double(stats.reports)
        var values = FeatureMap<Double>()
        values[.imagesPerCase] = Double(stats.images) / reports
        if stats.costKnown { values[.costPerCase] = max(stats.costBase, 0) / reports }
        values[.age] = Double(stats.ageMonths)
        if stats.party == .client, stats.revenueKnown {
            values[.revenuePerCase] = max(stats.revenueBase, 0) / reports
            if stats.revenueBase > 0, stats.costKnown {
                values[.margin] = 1 - max(stats.costBase, 0) / stats.revenueBase
            }
        }
        return values
    }

    /// The ratios a party's baseline is its median of.
    private static let ratioMeasures: [Feature] = [.imagesPerCase, .costPerCase, .revenuePerCase, .margin]

    private struct PartyKey: Hashable {
        let party: PartyPeriodStats.Party
        let partyId: String
    }
}
