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

/// The soft gate's outcome on one generated history.
private struct QualityTally {
    var plantedFlagged = 0
    var plantedMissed = 0
    var youngFlagged = 0
    var youngClear = 0
    var clientsFlagged = 0
    var clientsClear = 0
    var radiologistsFlagged = 0
    var radiologistsClear = 0
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
        return sum
    }
}

/// Runs the soft gate on every period of a planted history, each judged against the
/// history up to it, and counts flags against the ground truth.
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
    var result = QualityTally()
    let planted = Dictionary(uniqueKeysWithValues: cases.plants.map { (key($0.party, $0.partyId, $0.period), $0) })
    for plant in cases.plants {
        let assessment = assessments[key(plant.party, plant.partyId, plant.period)]
        let flagged = assessment?.flag != nil
        if plant.kind.isSuspicious {
            if flagged { result.plantedFlagged += 1 } else { result.plantedMissed += 1 }
        } else {
            if flagged { result.youngFlagged += 1 } else { result.youngClear += 1 }
        }
        let score = assessment.map { String(format: "%.4f", $0.score) } ?? "not judged"
        let outcome = assessment?.flag.map { "FLAGGED \($0.code) — \($0.reason)" } ?? "not flagged (judged among \(assessment?.peers ?? "nobody"))"
        result.lines.append("  \(plant.kind.rawValue) \(plant.partyId) \(plant.period): score \(score), \(outcome)")
    }
    var falseFlags: [String] = []
    for stats in cases.history {
        let id = key(stats.party, stats.partyId, stats.period)
        guard planted[id] == nil, let assessment = assessments[id] else { continue }
        let flagged = assessment.flag != nil
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
        print("  " + label.padding(toLength: 34, withPad: " ", startingAt: 0)
            + String(format: "%7d  %11d  %8.1f%%", flagged, clear, share))
    }
    print("  " + "".padding(toLength: 34, withPad: " ", startingAt: 0) + "flagged  not flagged  flagged %")
    row("planted suspicious", tally.plantedFlagged, tally.plantedMissed)
    row("young-client growth (ordinary)", tally.youngFlagged, tally.youngClear)
    row("normal client-periods judged", tally.clientsFlagged, tally.clientsClear)
    row("normal radiologist-periods judged", tally.radiologistsFlagged, tally.radiologistsClear)
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
}
