/// The settings of the soft gate. `recon.toml` keys map onto these fields; the defaults
/// are the ones the benchmark in docs/auditor.md was measured with.
public struct SoftGateConfig: Sendable, Hashable {
    /// A party-period is flagged only if its anomaly score within its peer group is at
    /// least this (scores are in (0, 1]; about 0.5 is an ordinary path length).
    public var scoreThreshold: Double
    /// …and only if one of its signals lies at least this many robust standard
    /// deviations (1.4826 × MAD) from the peers' median change.
    public var minimumDeviation: Double
    /// …and only if that signal moved at least this much against the party's own
    /// baseline, as a log ratio: 0.2 is a rise to ×1.22 or a fall to ÷1.22. Peers whose
    /// ratio hardly ever moves make tiny changes statistically unusual; this keeps them
    /// from being findings.
    public var minimumChange: Double
    /// Trees per forest.
    public var trees: Int
    /// Rows per tree (ψ, capped at the number of rows).
    public var sample: Int
    /// The seed of the forests' randomness.
    public var seed: UInt64
    /// Accounts younger than this many months are judged against young peers only.
    public var youngMonths: Int
    /// No flags until the history holds at least this many periods.
    public var minimumPeriods: Int
    /// A peer group needs at least this many party-periods to be judged on its own.
    public var minimumPeerRows: Int
    /// Party-periods with fewer reports than this are not scored (their ratios are noise).
    public var minimumReports: Int

    /// Creates settings; every argument has the default the product ships with.
    public init(
        scoreThreshold: Double = 0.6, minimumDeviation: Double = 3.0, minimumChange: Double = 0.2,
        trees: Int = 100, sample: Int = 256, seed: UInt64 = 0, youngMonths: Int = 12, minimumPeriods: Int = 3,
        minimumPeerRows: Int = 24, minimumReports: Int = 20
    ) {
        self.scoreThreshold = scoreThreshold
        self.minimumDeviation = minimumDeviation
        self.minimumChange = minimumChange
        self.trees = trees
        self.sample = sample
        self.seed = seed
        self.youngMonths = youngMonths
        self.minimumPeriods = minimumPeriods
        self.minimumPeerRows = minimumPeerRows
        self.minimumReports = minimumReports
    }
}

/// The auditor's soft gate: Isolation Forests over how each party's behaviour changed,
/// judged among peers of the same kind and age, explained by the ratio that moved.
///
/// **Signals.** For each party-period, the change of its ratios against its own recent
/// baseline and its volume growth (``FeatureBuilder``): images per case, margin and
/// volume for a client; images per case, cost per case and volume for a radiologist. A
/// client that always has many images per case is not unusual; a month in which its
/// images per case triple is.
///
/// **Peers.** Each party-period is judged against its peer group: the same kind of party
/// (clients with clients, radiologists with radiologists) and the same stage of life —
/// *young* (age below ``SoftGateConfig/youngMonths``, 12 by default) or *mature*. Each
/// group has its own forest, grown on all of the group's party-periods up to and
/// including the period judged (later periods never change an earlier verdict). So a
/// young client that grows tenfold is measured against other young clients, whose
/// first months are all steep, and is ordinary; a mature client that does so is
/// measured against mature ones, whose volume moves by a few percent, and stands out.
/// Within the young group, growth is read against young peers of about the same age
/// (``PeerGroup``): steep in the first months, flat later. Age chooses the group and
/// the comparison rather than being a column of the forest: an Isolation Forest
/// isolates a point along one column at a time, so every column that does not carry
/// the anomaly dilutes the ones that do.
///
/// **Too few peers.** A group with fewer than ``SoftGateConfig/minimumPeerRows``
/// party-periods is judged among all parties of its kind *without* volume growth:
/// ratio changes can be compared across ages, growth cannot. A kind with fewer than
/// that is not judged, nor is anything before the history holds
/// ``SoftGateConfig/minimumPeriods`` periods, nor a party's first period (it has no
/// baseline of its own).
///
/// **Flag.** A party-period is flagged when its score reaches
/// ``SoftGateConfig/scoreThreshold`` and one signal both moved at least
/// ``SoftGateConfig/minimumChange`` against the party's own baseline and lies at least
/// ``SoftGateConfig/minimumDeviation`` robust standard deviations from the group's
/// median. The largest such signal names the flag and its reason, with the
/// party's own baseline and the group's interquartile range of the ratio as what is
/// typical. Never the reason: a value inside the peers' middle half, a fall to a level the
/// party had within its last twelve months (a month back to normal after an inflated one is
/// typical), a fall in volume, and a signal that could not be computed (filled with the
/// group's median for the forest).
public enum SoftGate {
    /// One judged party-period, flagged or not.
    public struct Assessment: Sendable {
        /// Client or radiologist.
        public let party: PartyPeriodStats.Party
        /// The party's id.
        public let partyId: String
        /// The period judged.
        public let period: String
        /// The anomaly score within the peer group.
        public let score: Double
        /// The peers, in words: "clients aged 12 months or more".
        public let peers: String
        /// The signal furthest from the peers' median change in a direction that may be
        /// flagged; nil when there is none.
        public let driver: FeatureBuilder.Feature?
        /// The driver's signed distance in robust standard deviations; 0 without one.
        public let deviation: Double
        /// The flag, when the score and the deviation both reach their thresholds.
        public let flag: SoftFlag?
    }

    /// The soft flags of `period`: its parties scored against the history up to it.
    ///
    /// `history` may hold any periods in any order; only periods up to and including
    /// `period` are read. Flags come ordered by party kind and id.
    public static func evaluate(history: [PartyPeriodStats], period: String, config: SoftGateConfig = SoftGateConfig()) -> [SoftFlag] {
        assess(history: history, period: period, config: config).compactMap(\.flag)
    }

    /// Every party-period of `period` that the gate could judge, with its score, its
    /// driving signal and its flag if it has one; ordered by party kind and id.
    public static func assess(history: [PartyPeriodStats], period: String, config: SoftGateConfig = SoftGateConfig()) -> [Assessment] {
        // Only a party-period with a row is judged: when none of `period` has one (a month's
        // first days, as every drop into it is drafted), the history's rows are not built.
        guard FeatureBuilder.hasRow(in: history, period: period, minimumReports: config.minimumReports) else { return [] }
        let rows = FeatureBuilder.rows(
            history: history, through: period, minimumReports: config.minimumReports, youngMonths: config.youngMonths)
        guard Set(rows.map(\.period)).count >= max(config.minimumPeriods, 1) else { return [] }
        var assessments: [Assessment] = []
        for (kindIndex, party) in PartyPeriodStats.Party.allCases.sorted().enumerated() {
            // A party's first period has no baseline: it is neither judged nor a peer.
            let kindRows = rows.filter { $0.party == party && $0.baseline[.volumeGrowth] != nil }
            for (bandIndex, young) in [true, false].enumerated() {
                let inBand = { (row: FeatureBuilder.Row) in (row.ageMonths < config.youngMonths) == young }
                let targets = kindRows.filter { $0.period == period && inBand($0) }
                guard !targets.isEmpty,
                      let (training, signals, peers) = judgedAmong(kindRows, party: party, young: young, config: config)
                else { continue }
                let group = PeerGroup(
                    signals: signals, training: training, ageMatchedGrowth: young && signals.contains(.volumeGrowth))
                let forest = IsolationForest(
                    rows: group.matrix(training), featureCount: signals.count, trees: config.trees,
                    sampleSize: config.sample, seed: config.seed &+ UInt64(kindIndex * 2 + bandIndex))
                let scores = forest.scores(rows: group.matrix(targets))
                for (row, score) in zip(targets, scores) {
                    assessments.append(judge(row, score: score, group: group, peers: peers, config: config))
                }
            }
        }
        return assessments.sorted { ($0.party, $0.partyId) < ($1.party, $1.partyId) }
    }

    /// The party-periods a band of a kind (young or mature) is judged among, the signals
    /// read and its peers in words; nil when too few to judge (``SoftGateConfig/minimumPeerRows``).
    private static func judgedAmong(_ kindRows: [FeatureBuilder.Row], party: PartyPeriodStats.Party, young: Bool,
                                    config: SoftGateConfig) -> ([FeatureBuilder.Row], [FeatureBuilder.Feature], String)? {
        let training = kindRows.filter { ($0.ageMonths < config.youngMonths) == young }
        var signals = FeatureBuilder.Feature.signals(for: party)
        if training.count >= config.minimumPeerRows {
            return (training, signals, describe(party: party, young: young, months: config.youngMonths))
        }
        signals.removeAll { $0 == .volumeGrowth }
        guard kindRows.count >= config.minimumPeerRows else { return nil }
        return (kindRows, signals, party == .client ? "all clients" : "all radiologists")
    }

    /// How many of a period's parties of one kind the gate judged, and why the others were not.
    public struct Coverage: Sendable, Equatable {
        public var party: PartyPeriodStats.Party
        /// Parties of the kind with a row in the period (enough reports to read ratios from).
        public var parties: Int
        public var judged: Int
        /// Why some were not judged, in words; empty when all were.
        public var reasons: [String]
    }

    /// For each kind of party in `period`, how many the gate judges (``assess(history:period:config:)``
    /// scores exactly these) and why not the rest, so a review without flags does not read as a
    /// clean bill of health when the site is too young or too small to be judged.
    public static func coverage(history: [PartyPeriodStats], period: String, config: SoftGateConfig = SoftGateConfig()) -> [Coverage] {
        guard FeatureBuilder.hasRow(in: history, period: period, minimumReports: config.minimumReports) else { return [] }
        let rows = FeatureBuilder.rows(
            history: history, through: period, minimumReports: config.minimumReports, youngMonths: config.youngMonths)
        let months = Set(rows.map(\.period)).count
        var out: [Coverage] = []
        for party in PartyPeriodStats.Party.allCases.sorted() {
            let kind = party == .client ? "client" : "radiologist"
            let inPeriod = rows.filter { $0.party == party && $0.period == period }
            guard !inPeriod.isEmpty else { continue }
            var c = Coverage(party: party, parties: inPeriod.count, judged: 0, reasons: [])
            guard months >= max(config.minimumPeriods, 1) else {
                c.reasons = ["the history holds \(months) month\(months == 1 ? "" : "s") with at least \(config.minimumReports) reports "
                             + "from a party; the gate judges from \(config.minimumPeriods)"]
                out.append(c)
                continue
            }
            let kindRows = rows.filter { $0.party == party && $0.baseline[.volumeGrowth] != nil }
            let first = inPeriod.filter { $0.baseline[.volumeGrowth] == nil }.count
            if first > 0 { c.reasons.append("\(first) in a first month with enough reports, which has no month of its own to compare with") }
            var unjudged = 0
            for (young, targets) in Dictionary(grouping: kindRows.filter { $0.period == period }, by: { $0.ageMonths < config.youngMonths }) {
                if judgedAmong(kindRows, party: party, young: young, config: config) != nil { c.judged += targets.count } else { unjudged += targets.count }
            }
            if unjudged > 0 {
                c.reasons.append("\(unjudged) not compared: the history holds \(kindRows.count) \(kind)-months after a first one, "
                                 + "and the gate needs \(config.minimumPeerRows) to compare a \(kind) with its peers")
            }
            out.append(c)
        }
        return out
    }

    private static func judge(_ row: FeatureBuilder.Row, score: Double, group: PeerGroup, peers: String, config: SoftGateConfig) -> Assessment {
        // The driver is the signal furthest from the peers among those that moved enough
        // and in a direction that may be flagged.
        var driver: FeatureBuilder.Feature?
        var deviation = 0.0
        var measures: [SoftFlag.Measure] = []
        for feature in FeatureBuilder.Feature.measures(for: row.party) {
            guard let value = row.values[feature], let typical = group.typical(feature, for: row) else { continue }
            var z: Double?
            if group.signals.contains(feature), let change = row.changes[feature],
                let signal = group.signal(feature, of: row), let spread = group.spread[feature]
            {
                let distance = spread.deviation(of: signal)
                z = distance
                // A value inside its peers' middle half is typical, whatever the party's own months
                // say: a month back to normal after an inflated one (one huge case approved, a
                // spike flagged already) is not suspicious, and its reason would quote a range
                // that holds it.
                let beyondPeers = distance > 0 ? value > typical.range.high : value < typical.range.low
                // A fall to a level the party itself had within its last twelve months is its
                // normal coming back (a radiologist at 2.8 images a case all year, judged against
                // a baseline that still holds a spike), not a drift.
                let backWithinOwnYear = distance < 0 && (row.ownYear[feature]?.contains(value) ?? false)
                if distance > 0 || feature.flagsFalls, beyondPeers, !backWithinOwnYear, abs(change) >= config.minimumChange,
                   abs(distance) > abs(deviation) {
                    driver = feature
                    deviation = distance
                }
            }
            measures.append(
                SoftFlag.Measure(
                    name: feature.rawValue, value: value, previous: row.baseline[feature],
                    typicalLow: typical.range.low, typicalHigh: typical.range.high, deviation: z))
        }
        var flag: SoftFlag?
        if let driver, score >= config.scoreThreshold, abs(deviation) >= config.minimumDeviation {
            flag = SoftFlag(
                code: driver.flagCode, party: row.party, subject: row.partyId, period: row.period, score: score,
                reason: reason(driver, rising: deviation > 0, row: row, group: group, peers: peers), measures: measures)
        }
        return Assessment(
            party: row.party, partyId: row.partyId, period: row.period, score: score, peers: peers,
            driver: driver, deviation: deviation, flag: flag)
    }

    /// What a reviewer can check: the ratio now, the party's own range over its baseline
    /// months, and the middle half of its peers. `High images per case: 8.1, up from 2.7
    /// (own last 3 months 2.5–2.9; middle half of clients aged 12 months or more: 2.4–3.3)`;
    /// for volume, `High volume growth: ×4.20, 496 reports against 118, the median of its own
    /// last 3 months (own last 3 months 110–131 reports; middle half of …: ×0.95–×1.06)`.
    private static func reason(
        _ driver: FeatureBuilder.Feature, rising: Bool, row: FeatureBuilder.Row, group: PeerGroup, peers: String
    ) -> String {
        let value = row.values[driver] ?? 0
        let months = row.ownMonths[driver] ?? FeatureBuilder.baselineMonths
        let own = months == 1 ? "own last month" : "own last \(months) months"
        func span(_ low: String, _ high: String) -> String { low == high ? low : "\(low)–\(high)" }
        // Volume is read against the median of its own last months, said as such: "against 45"
        // read as the month before (68), and a ratio against none (×300.00) as a measure.
        let baseline = row.baseline[driver].map { Int($0.rounded()) }
        // "None" only when its own months held no report at all; a median of 0 beside 30 is said as one.
        let noneBefore = (row.ownRange[driver]?.upperBound ?? 0) < 0.5
        let fromNone = driver == .volumeGrowth && baseline == 0 && noneBefore
        // A factor against a median of 0 is no measure (×29.00, 29 against 0): the count says it.
        let noFactor = driver == .volumeGrowth && baseline == 0
        var text = "\(rising ? "High" : "Low") \(driver.label)" + (fromNone ? ": from none" : noFactor ? "" : ": " + driver.format(value))
        if let own = row.baseline[driver] {
            let median = Int(own.rounded())
            let basis = months == 1 ? "its own last month" : "the median of its own last \(months) months"
            let against = median == 0 && noneBefore ? "against none in its own last \(months == 1 ? "month" : "\(months) months")"
                : median == 0 ? "against a median of 0 in its own last \(months == 1 ? "month" : "\(months) months")"
                : "against \(median), \(basis)"
            if driver == .volumeGrowth && row.elapsed < 1 {
                // A month still running: its count so far read at its pace, or ×7.31 would stand
                // beside "25 reports against 53".
                let pace = Int((Double(row.reports) / row.elapsed).rounded())
                text += ", \(row.reports) reports so far, \(pace) at this pace for the month, \(against)"
            } else if driver == .volumeGrowth {
                text += ", \(row.reports) reports \(against)"
            } else {
                text += ", \(rising ? "up" : "down") from \(driver.format(own))"
            }
        }
        var context: [String] = []
        if let range = row.ownRange[driver] {
            if driver == .volumeGrowth {
                context.append("\(own) \(span(String(Int(range.lowerBound)), String(Int(range.upperBound)))) reports")
            } else {
                context.append("\(own) \(span(driver.format(range.lowerBound), driver.format(range.upperBound)))")
            }
        }
        if let typical = group.typical(driver, for: row) {
            let range = typical.range
            var among = peers
            if let ages = typical.ages {
                let span = ages.lowerBound == ages.upperBound ? "\(ages.lowerBound)" : "\(ages.lowerBound)–\(ages.upperBound)"
                among += row.party == .client ? ", aged \(span) months" : ", with \(span) months' seniority"
            }
            context.append("middle half of \(among): \(driver.format(range.low))–\(driver.format(range.high))")
        }
        if !context.isEmpty { text += " (" + context.joined(separator: "; ") + ")" }
        return text
    }

    private static func describe(party: PartyPeriodStats.Party, young: Bool, months: Int) -> String {
        switch (party, young) {
        case (.client, true): return "clients in their first \(months) months"
        case (.client, false): return "clients aged \(months) months or more"
        case (.radiologist, true): return "radiologists with under \(months) months' seniority"
        case (.radiologist, false): return "radiologists with \(months) months' seniority or more"
        }
    }
}

extension SoftGate {
    /// What the gate knows of one peer group: the signals its forest sees, how the
    /// group's changes spread, and what its values typically are.
    ///
    /// In a young group, volume growth is read against peers of the same age: the signal
    /// is the log growth less the median log growth of the group's party-periods within
    /// a month of the same age (the window widens until it holds
    /// ``PeerGroup/ageMatchedPeers`` of them), divided by their robust spread (never less
    /// than the whole group's), because a client's second month and its tenth are
    /// different things even among young clients: steep and scattered, then flat.
    struct PeerGroup {
        /// Centre and robust spread of one signal over the group.
        struct Spread {
            /// Median signal.
            let median: Double
            /// 1.4826 × MAD, or 1.2533 × the mean absolute deviation when more than half
            /// the signals are equal; at least 1e-6.
            let scale: Double

            /// Signed distance of a signal from the median, in `scale` units.
            func deviation(of signal: Double) -> Double {
                (signal - median) / scale
            }
        }

        /// The 25th and 75th percentiles of a measure's value over some peers.
        struct Range {
            let low: Double
            let high: Double
        }

        /// Party-periods of similar age that make up an age-matched comparison.
        static let ageMatchedPeers = 5

        /// The signals the forest sees, in order.
        let signals: [FeatureBuilder.Feature]
        /// Per signal.
        let spread: [FeatureBuilder.Feature: Spread]
        /// Per measure present in the group.
        let typical: [FeatureBuilder.Feature: Range]
        /// For an age-matched group: per age in months, the ages compared and the
        /// centre, spread and range of growth there.
        private let growthByAge: [Int: AgeMatch]

        /// Growth among peers of about the same age.
        private struct AgeMatch {
            let ages: ClosedRange<Int>
            let spread: Spread
            let range: Range
        }

        init(signals: [FeatureBuilder.Feature], training: [FeatureBuilder.Row], ageMatchedGrowth: Bool) {
            self.signals = signals
            var typical: [FeatureBuilder.Feature: Range] = [:]
            for feature in FeatureBuilder.Feature.allCases {
                let values = training.compactMap { $0.values[feature] }
                if !values.isEmpty { typical[feature] = PeerGroup.range(values) }
            }
            self.typical = typical
            var growthByAge: [Int: AgeMatch] = [:]
            if ageMatchedGrowth {
                let growing = training.filter { $0.changes[.volumeGrowth] != nil }
                let overall = PeerGroup.spread(growing.compactMap { $0.changes[.volumeGrowth] })
                for age in Set(growing.map(\.ageMonths)) {
                    var width = 1
                    var peers = growing.filter { abs($0.ageMonths - age) <= width }
                    while peers.count < PeerGroup.ageMatchedPeers, peers.count < growing.count {
                        width += 1
                        peers = growing.filter { abs($0.ageMonths - age) <= width }
                    }
                    let ages = peers.map(\.ageMonths)
                    let local = PeerGroup.spread(peers.compactMap { $0.changes[.volumeGrowth] })
                    growthByAge[age] = AgeMatch(
                        ages: (ages.min() ?? age)...(ages.max() ?? age),
                        spread: Spread(median: local.median, scale: max(local.scale, overall.scale)),
                        range: PeerGroup.range(peers.compactMap { $0.values[.volumeGrowth] }))
                }
            }
            self.growthByAge = growthByAge
            var spread: [FeatureBuilder.Feature: Spread] = [:]
            for feature in signals {
                let values = training.compactMap { PeerGroup.signal(feature, of: $0, growthByAge: growthByAge) }
                if !values.isEmpty { spread[feature] = PeerGroup.spread(values) }
            }
            self.spread = spread
        }

        /// The signal of a row: its change against its own baseline; for growth in an
        /// age-matched group, standardised among peers of its age; nil when it has none.
        func signal(_ feature: FeatureBuilder.Feature, of row: FeatureBuilder.Row) -> Double? {
            PeerGroup.signal(feature, of: row, growthByAge: growthByAge)
        }

        /// What is typical for a row's measure, and among which ages when age-matched.
        func typical(_ feature: FeatureBuilder.Feature, for row: FeatureBuilder.Row) -> (range: Range, ages: ClosedRange<Int>?)? {
            if feature == .volumeGrowth, let matched = growthByAge[row.ageMonths] {
                return (matched.range, matched.ages)
            }
            return typical[feature].map { ($0, nil) }
        }

        /// The rows' signals as a row-major matrix; a missing signal is filled with the
        /// group's median.
        func matrix(_ rows: [FeatureBuilder.Row]) -> [Double] {
            var values: [Double] = []
            values.reserveCapacity(rows.count * signals.count)
            for row in rows {
                for feature in signals {
                    values.append(signal(feature, of: row) ?? spread[feature]?.median ?? 0)
                }
            }
            return values
        }

        private static func signal(
            _ feature: FeatureBuilder.Feature, of row: FeatureBuilder.Row,
            growthByAge: [Int: AgeMatch]
        ) -> Double? {
            guard let change = row.changes[feature] else { return nil }
            guard feature == .volumeGrowth, let matched = growthByAge[row.ageMonths] else { return change }
            return matched.spread.deviation(of: change)
        }

        /// Median and robust spread of some values.
        private static func spread(_ values: [Double]) -> Spread {
            let sorted = values.sorted()
            let median = percentile(sorted, 0.5)
            let absolute = sorted.map { abs($0 - median) }.sorted()
            var scale = 1.4826 * percentile(absolute, 0.5)
            if scale < 1e-9, !absolute.isEmpty {
                scale = 1.2533 * absolute.reduce(0, +) / Double(absolute.count)
            }
            return Spread(median: median, scale: max(scale, 1e-6))
        }

        /// The interquartile range: what the middle half of the peers do.
        private static func range(_ values: [Double]) -> Range {
            let sorted = values.sorted()
            return Range(low: percentile(sorted, 0.25), high: percentile(sorted, 0.75))
        }

        /// The `p` quantile of sorted values, interpolating linearly between neighbours.
        static func percentile(_ sorted: [Double], _ p: Double) -> Double {
            guard sorted.count > 1 else { return sorted.first ?? 0 }
            let position = p * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, sorted.count - 1)
            return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        }
    }
}
