import ReconDemo
import Foundation
import ReconKit

/// Runs the auditor's benchmarks and prints their numbers: the Isolation Forest's speed
/// (grow 100 trees on ψ = 256 and score 100,000 rows of 8 features) and the soft gate's
/// quality on generated histories with planted cases.
func runForestBenchmarks() {
    runForestSpeedBenchmark()
    print("")
    runSoftGateQualityBenchmark()
}

/// Times fit + score of 100 trees over 100,000 × 8 standard normal values, 7 runs, one
/// thread: the same job as `scripts/compare_sklearn.py --speed` gives scikit-learn.
private func runForestSpeedBenchmark() {
    let rowCount = 100_000
    let featureCount = 8
    var generator = SeededGenerator(seed: 42)
    let rows = (0..<(rowCount * featureCount)).map { _ in generator.nextGaussian() }
    var seconds: [Double] = []
    var meanScore = 0.0
    let clock = ContinuousClock()
    for run in 0..<7 {
        let elapsed = clock.measure {
            let forest = IsolationForest(rows: rows, featureCount: featureCount, trees: 100, sampleSize: 256, seed: UInt64(run))
            meanScore = forest.scores(rows: rows).reduce(0, +) / Double(rowCount)
        }
        seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    seconds.sort()
    print("Isolation Forest speed: fit 100 trees (ψ = 256) + score 100,000 rows × 8 features, one thread")
    print(
        String(
            format: "  best %.3f s, median %.3f s, worst %.3f s over %d runs (mean score %.4f)",
            seconds[0], seconds[seconds.count / 2], seconds[seconds.count - 1], seconds.count, meanScore))
}

/// The soft gate's outcome on one generated history, beside the threshold-rules baseline.
private struct QualityTally {
    var plantedFlagged = 0
    var plantedMissed = 0
    var youngFlagged = 0
    var youngClear = 0
    var clientsFlagged = 0
    var clientsClear = 0
    var radiologistsFlagged = 0
    var radiologistsClear = 0
    /// Young clients' party-periods (under 12 months old), not planted: ordinary ramp-up.
    var youngMonthsFlagged = 0
    var youngMonthsClear = 0
    /// Of those, flagged for their growth.
    var youngGrowthFlagged = 0
    var youngGrowthLines: [String] = []
    /// On the rules' universe (party-periods with three earlier months, none planted):
    /// false positives of recon and of the rules, and planted cases each catches.
    var universe = 0
    var reconFalse = 0
    var rulesFalse = 0
    var rulesPlantedFlagged = 0
    var rulesYoungFlagged = 0
    var lines: [String] = []

    static func + (lhs: QualityTally, rhs: QualityTally) -> QualityTally {
        var sum = lhs
        sum.plantedFlagged += rhs.plantedFlagged
        sum.plantedMissed += rhs.plantedMissed
        sum.youngFlagged += rhs.youngFlagged
        sum.youngClear += rhs.youngClear
        sum.clientsFlagged += rhs.clientsFlagged
        sum.clientsClear += rhs.clientsClear
        sum.radiologistsFlagged += rhs.radiologistsFlagged
        sum.radiologistsClear += rhs.radiologistsClear
        sum.youngMonthsFlagged += rhs.youngMonthsFlagged
        sum.youngMonthsClear += rhs.youngMonthsClear
        sum.youngGrowthFlagged += rhs.youngGrowthFlagged
        sum.youngGrowthLines += rhs.youngGrowthLines
        sum.universe += rhs.universe
        sum.reconFalse += rhs.reconFalse
        sum.rulesFalse += rhs.rulesFalse
        sum.rulesPlantedFlagged += rhs.rulesPlantedFlagged
        sum.rulesYoungFlagged += rhs.rulesYoungFlagged
        return sum
    }
}

/// The threshold-rules baseline: a party-period is flagged when its volume is at least ×2 or
/// at most ÷2, or its images per case at least ×1.5 or at most ÷1.5, against the mean of its
/// previous three calendar months (a month without reports counts as 0). Judged only where the
/// party has three earlier months. Returns the keys it flags and the keys it could judge.
private func thresholdRules(_ cases: PlantedCases, key: (PartyPeriodStats.Party, String, String) -> String)
    -> (flagged: Set<String>, judged: Set<String>)
{
    var byParty: [String: [Int: PartyPeriodStats]] = [:]
    for s in cases.history {
        guard let m = FeatureBuilder.monthIndex(s.period) else { continue }
        byParty["\(s.party.rawValue) \(s.partyId)", default: [:]][m] = s
    }
    var flagged = Set<String>(), judged = Set<String>()
    for (_, months) in byParty {
        guard let first = months.keys.min() else { continue }
        for (m, s) in months where m - 3 >= first {
            let earlier = (m - 3)..<m
            let reports = earlier.map { Double(months[$0]?.reports ?? 0) }
            let images = earlier.map { Double(months[$0]?.images ?? 0) }
            let meanReports = reports.reduce(0, +) / 3
            let id = key(s.party, s.partyId, s.period)
            judged.insert(id)
            let volume = Double(s.reports) / max(meanReports, 1e-9)
            let ratioBefore = images.reduce(0, +) / max(reports.reduce(0, +), 1)
            let ratio = (Double(s.images) / Double(max(s.reports, 1))) / max(ratioBefore, 1e-9)
            if volume >= 2 || volume <= 0.5 || ratio >= 1.5 || ratio <= 1 / 1.5 { flagged.insert(id) }
        }
    }
    return (flagged, judged)
}

/// Runs the soft gate on every period of a planted history, each judged against the
/// history up to it, and counts flags against the ground truth; the rules beside it.
private func tally(_ cases: PlantedCases, config: SoftGateConfig) -> QualityTally {
    func key(_ party: PartyPeriodStats.Party, _ id: String, _ period: String) -> String {
        "\(party.rawValue) \(id) \(period)"
    }
    var assessments: [String: SoftGate.Assessment] = [:]
    for period in cases.periods {
        for assessment in SoftGate.assess(history: cases.history, period: period, config: config) {
            assessments[key(assessment.party, assessment.partyId, assessment.period)] = assessment
        }
    }
    let rules = thresholdRules(cases, key: key)
    var result = QualityTally()
    let planted = Dictionary(cases.plants.map { (key($0.party, $0.partyId, $0.period), $0) }) { a, _ in a }
    for plant in cases.plants {
        let id = key(plant.party, plant.partyId, plant.period)
        let assessment = assessments[id]
        let flagged = assessment?.flag != nil
        if plant.kind.isSuspicious {
            if flagged { result.plantedFlagged += 1 } else { result.plantedMissed += 1 }
            if rules.flagged.contains(id) { result.rulesPlantedFlagged += 1 }
        } else {
            if flagged { result.youngFlagged += 1 } else { result.youngClear += 1 }
            if rules.flagged.contains(id) { result.rulesYoungFlagged += 1 }
        }
        let score = assessment.map { String(format: "%.4f", $0.score) } ?? "not judged"
        let outcome = assessment?.flag.map { "FLAGGED \($0.code) — \($0.reason)" } ?? "not flagged (judged among \(assessment?.peers ?? "nobody"))"
        result.lines.append("  \(plant.kind.rawValue) \(plant.partyId) \(plant.period): score \(score), \(outcome)")
    }
    var falseFlags: [String] = []
    for stats in cases.history {
        let id = key(stats.party, stats.partyId, stats.period)
        guard planted[id] == nil else { continue }
        let flagged = assessments[id]?.flag != nil
        if rules.judged.contains(id) {
            result.universe += 1
            if flagged { result.reconFalse += 1 }
            if rules.flagged.contains(id) { result.rulesFalse += 1 }
        }
        guard let assessment = assessments[id] else { continue }
        if stats.party == .client, stats.ageMonths < config.youngMonths {
            if flagged { result.youngMonthsFlagged += 1 } else { result.youngMonthsClear += 1 }
            if let flag = assessment.flag, flag.code == "SOFT_VOLUME_GROWTH" {
                result.youngGrowthFlagged += 1
                result.youngGrowthLines.append("  \(id) (age \(stats.ageMonths) months): \(flag.reason)")
            }
        }
        switch (stats.party, flagged) {
        case (.client, true): result.clientsFlagged += 1
        case (.client, false): result.clientsClear += 1
        case (.radiologist, true): result.radiologistsFlagged += 1
        case (.radiologist, false): result.radiologistsClear += 1
        }
        if let flag = assessment.flag {
            falseFlags.append("  \(id): score \(flag.score), \(flag.code) — \(flag.reason)")
        }
    }
    if !falseFlags.isEmpty {
        result.lines.append("Flags on normal party-periods:")
        result.lines += falseFlags.sorted()
    }
    return result
}

private func printTable(_ tally: QualityTally) {
    func row(_ label: String, _ flagged: Int, _ clear: Int) {
        let share = flagged + clear == 0 ? 0 : 100 * Double(flagged) / Double(flagged + clear)
        print("  " + label.padding(toLength: 40, withPad: " ", startingAt: 0)
            + String(format: "%7d  %11d  %8.1f%%", flagged, clear, share))
    }
    print("  " + "".padding(toLength: 40, withPad: " ", startingAt: 0) + "flagged  not flagged  flagged %")
    row("planted suspicious", tally.plantedFlagged, tally.plantedMissed)
    row("planted young growth (ordinary)", tally.youngFlagged, tally.youngClear)
    row("normal client-periods judged", tally.clientsFlagged, tally.clientsClear)
    row("  of which young clients' months", tally.youngMonthsFlagged, tally.youngMonthsClear)
    print("  " + "    flagged for volume growth".padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%7d", tally.youngGrowthFlagged))
    row("normal radiologist-periods judged", tally.radiologistsFlagged, tally.radiologistsClear)
    let judged = tally.clientsFlagged + tally.clientsClear + tally.radiologistsFlagged + tally.radiologistsClear
    let normal = tally.clientsFlagged + tally.radiologistsFlagged
    print(String(format: "  normal party-periods flagged: %d of %d judged (%.2f%%)", normal, judged,
                 100 * Double(normal) / Double(max(judged, 1))))
    let planted = tally.plantedFlagged + tally.plantedMissed
    print("  threshold rules (volume ×2 or ÷2, images per case ×1.5 or ÷1.5 against the previous 3 months),")
    print("  on the \(tally.universe) normal party-periods with 3 earlier months:")
    print(String(format: "    false positives: rules %d (%.1f%%), recon %d (%.1f%%): recon has %.0f%% fewer",
                 tally.rulesFalse, 100 * Double(tally.rulesFalse) / Double(max(tally.universe, 1)),
                 tally.reconFalse, 100 * Double(tally.reconFalse) / Double(max(tally.universe, 1)),
                 100 * (1 - Double(tally.reconFalse) / Double(max(tally.rulesFalse, 1)))))
    print("    planted suspicious caught: rules \(tally.rulesPlantedFlagged) of \(planted), recon \(tally.plantedFlagged) of \(planted);"
        + " planted young growth flagged: rules \(tally.rulesYoungFlagged), recon \(tally.youngFlagged)")
}

/// Prints the confusion table of the default history (seed 2026), its planted cases and
/// false flags, then the table summed over seven more generated histories.
private func runSoftGateQualityBenchmark() {
    let config = SoftGateConfig()
    let main = PlantedCases()
    let clients = Set(main.history.filter { $0.party == .client }.map(\.partyId)).count
    let radiologists = Set(main.history.filter { $0.party == .radiologist }.map(\.partyId)).count
    print("Soft gate quality: \(clients) clients, \(radiologists) radiologists, \(main.periods.count) months (seed 2026),")
    print("every period judged against the history up to it, default SoftGateConfig:")
    let result = tally(main, config: config)
    printTable(result)
    print("Planted cases:")
    result.lines.forEach { print($0) }

    let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7]
    var total = QualityTally()
    for seed in seeds {
        total = total + tally(PlantedCases(configuration: PlantedCases.Configuration(seed: seed)), config: config)
    }
    print("")
    print("Summed over \(seeds.count) more generated histories (seeds 1–7), same settings:")
    printTable(total)
    if !total.youngGrowthLines.isEmpty {
        print("Young clients' months flagged for growth:")
        total.youngGrowthLines.forEach { print($0) }
    }
}
