import ReconDemo
import Foundation
import Testing
import TestSupport

@testable import ReconKit
@testable import recon

/// The Isolation Forest, its normaliser c(n), its score, its seeded randomness, the
/// numeric CSV reader and `recon outliers`.
struct IsolationForestTests {
    // MARK: c(n) and the score

    @Test(arguments: [
        // c(n) = 2 (ln(n − 1) + γ) − 2 (n − 1) / n, worked by hand:
        // c(3) = 2 (0.693147 + 0.577216) − 4/3 = 1.207392
        // c(4) = 2 (1.098612 + 0.577216) − 6/4 = 1.851656
        // c(10) = 2 (2.197225 + 0.577216) − 18/10 = 3.748880
        // c(256) = 2 (5.541264 + 0.577216) − 510/256 = 10.244771
        (0, 0.0), (1, 0.0), (2, 1.0), (3, 1.207392), (4, 1.851656), (10, 3.748880), (256, 10.244771),
    ])
    func averagePathLength(size: Int, expected: Double) {
        #expect(abs(AveragePathLength.of(size) - expected) < 5e-7)
    }

    @Test func scoreFormula() {
        let c256 = AveragePathLength.of(256)
        // s = 2^(−E[h] / c(ψ)): a path as long as c(ψ) scores 0.5, no path 1, twice c(ψ) 0.25.
        #expect(AveragePathLength.anomalyScore(meanPathLength: c256, subsampleSize: 256) == 0.5)
        #expect(AveragePathLength.anomalyScore(meanPathLength: 0, subsampleSize: 256) == 1)
        #expect(abs(AveragePathLength.anomalyScore(meanPathLength: 2 * c256, subsampleSize: 256) - 0.25) < 1e-15)
        // E[h] = 5 with ψ = 256: 2^(−5 / 10.244771) = 2^−0.488054 = 0.712986.
        #expect(abs(AveragePathLength.anomalyScore(meanPathLength: 5, subsampleSize: 256) - 0.712986) < 1e-6)
        // ψ = 1: c(1) = 0, nothing to compare against, 0.5 as scikit-learn gives.
        #expect(AveragePathLength.anomalyScore(meanPathLength: 0, subsampleSize: 1) == 0.5)
    }

    @Test(arguments: [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (100, 7), (128, 7), (129, 8), (256, 8), (257, 9)])
    func depthLimitIsCeilingOfLog2(psi: Int, depth: Int) {
        #expect(IsolationForest.depthLimit(forSubsample: psi) == depth)
    }

    @Test func twoDistinctRowsScoreExactlyOneHalf() {
        // ψ = 2, depth limit 1: every tree splits its root once, each leaf holds one row at
        // depth 1, so h = 1 + c(1) = 1 for both rows, E[h] = 1 = c(2) and s = 2^−1.
        for seed: UInt64 in [0, 1, 99] {
            let forest = IsolationForest(rows: [0, 0, 3, 4], featureCount: 2, trees: 10, sampleSize: 256, seed: seed)
            #expect(forest.subsampleSize == 2)
            #expect(forest.meanPathLengths(rows: [0, 0, 3, 4]) == [1, 1])
            #expect(forest.scores(rows: [0, 0, 3, 4]) == [0.5, 0.5])
        }
    }

    @Test func expectedPathLengthsOnThreePoints() {
        // Rows x = 0, 1, 10 and a constant second column (never split on). ψ = 3, depth
        // limit 2. The root's threshold is uniform on [0, 10): below 1 (probability 0.1)
        // it isolates 0 at depth 1 and splits {1, 10} at depth 2; otherwise (0.9) it
        // isolates 10 at depth 1 and splits {0, 1}. So E[h(0)] = 0.1·1 + 0.9·2 = 1.9,
        // E[h(1)] = 2, E[h(10)] = 0.1·2 + 0.9·1 = 1.1, and s(10) = 2^(−1.1 / c(3)) = 2^−0.911055 = 0.5318.
        let rows: [Double] = [0, 5, 1, 5, 10, 5]
        let forest = IsolationForest(rows: rows, featureCount: 2, trees: 20_000, sampleSize: 256, seed: 4)
        let paths = forest.meanPathLengths(rows: rows)
        #expect(abs(paths[0] - 1.9) < 0.01)
        #expect(paths[1] == 2)
        #expect(abs(paths[2] - 1.1) < 0.01)
        #expect(abs(forest.score([10, 5]) - 0.5318) < 0.005)
    }

    @Test func identicalRowsScoreOneHalf() {
        // Every feature constant: the root is a leaf holding all ψ = 10 rows, h = 0 + c(10),
        // so E[h] = c(10) and s = 0.5.
        let rows = [Double](repeating: 7, count: 10 * 3)
        let forest = IsolationForest(rows: rows, featureCount: 3, trees: 5, seed: 3)
        let paths = forest.meanPathLengths(rows: rows)
        #expect(paths.allSatisfy { abs($0 - 3.748880484475505) < 1e-12 })
        #expect(forest.scores(rows: rows).allSatisfy { abs($0 - 0.5) < 1e-12 })
    }

    @Test func pathLengthsStayWithinTheDepthLimitPlusTheLeafCorrection() {
        let rows = gaussianRows(count: 1000, features: 4, seed: 5)
        let forest = IsolationForest(rows: rows, featureCount: 4, trees: 20, sampleSize: 256, seed: 1)
        #expect(forest.depthLimit == 8)
        // A leaf at depth d holds at most 256 − d rows; the longest path is 8 + c(248).
        let longest = 8 + AveragePathLength.of(248)
        #expect(forest.meanPathLengths(rows: rows).allSatisfy { $0 >= 1 && $0 <= longest })
        #expect(forest.scores(rows: rows).allSatisfy { $0 > 0 && $0 <= 1 })
    }

    // MARK: determinism

    @Test func theSameSeedGivesTheSameScores() {
        let rows = gaussianRows(count: 600, features: 5, seed: 11)
        let first = IsolationForest(rows: rows, featureCount: 5, seed: 42).scores(rows: rows)
        let second = IsolationForest(rows: rows, featureCount: 5, seed: 42).scores(rows: rows)
        let other = IsolationForest(rows: rows, featureCount: 5, seed: 43).scores(rows: rows)
        #expect(first == second)
        #expect(first != other)
    }

    @Test func scoringInBlocksDoesNotDependOnTheRowsAround() {
        let rows = gaussianRows(count: 700, features: 3, seed: 2)
        let forest = IsolationForest(rows: rows, featureCount: 3, seed: 9)
        let all = forest.scores(rows: rows)
        for index in [0, 255, 256, 699] {
            #expect(forest.score(Array(rows[(index * 3)..<(index * 3 + 3)])) == all[index])
        }
    }

    @Test func generatorMatchesReferenceOutputs() {
        // SplitMix64 from 0 (the published first output), and xoshiro256** seeded through
        // it, from an independent implementation.
        var state: UInt64 = 0
        #expect(SeededGenerator.splitMix64(&state) == 0xE220_A839_7B1D_CDAF)
        var generator = SeededGenerator(seed: 0)
        #expect(generator.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(generator.next() == 0xBF6E_1F78_4956_452A)
        #expect(generator.next() == 0x1A5F_849D_4933_E6E0)
        var bounded = SeededGenerator(seed: 1)
        for bound in [1, 2, 3, 7, 1000] {
            for _ in 0..<200 { #expect((0..<bound).contains(bounded.nextInt(below: bound))) }
        }
        for _ in 0..<1000 { #expect((0..<1).contains(bounded.nextUnit())) }
    }

    // MARK: planted outlier

    @Test func aPlantedOutlierRanksFirst() {
        var rows = gaussianRows(count: 400, features: 3, seed: 17)
        rows += [6, -6, 6]
        let forest = IsolationForest(rows: rows, featureCount: 3, seed: 0)
        let scores = forest.scores(rows: rows)
        #expect(scores.indices.max { scores[$0] < scores[$1] } == 400)
        #expect(scores[400] > 0.7)
        #expect(scores.sorted()[200] < 0.5)
    }

    // MARK: numeric CSV

    @Test func readsHeaderAndRows() throws {
        let table = try NumericTable(csv: "\u{FEFF}\"a\", b ,c\r\n1,2,3\r\n\r\n  -0.5 , 1e-3,7\n")
        #expect(table.columnNames == ["a", "b", "c"])
        #expect(table.rowCount == 2)
        #expect(table.values == [1, 2, 3, -0.5, Double(Float(0.001)), 7])
    }

    /// Values are read as numpy reads them into float32, which scikit-learn's forest fits and
    /// scores: epoch seconds 60 s apart are one float32 (its step at 1.7e9 is 128), so every
    /// row of the table is the same and scores exactly 0.5, as scikit-learn gives. Read as
    /// doubles, the later one scored 0.906 and the others 0.455.
    @Test func valuesAreReadInSinglePrecisionAsScikitLearnReadsThem() throws {
        let table = try NumericTable(csv: "t\n" + String(repeating: "1767225600\n", count: 50) + "1767225660\n")
        #expect(Set(table.values) == [1767225600], "\(Set(table.values))")
        #expect(try NumericTable(csv: "a\n16777217\n0.1\n").values == [16777216, Double(Float(0.1))])
        let forest = IsolationForest(rows: table.values, featureCount: 1, trees: 100, seed: 0)
        #expect(forest.scores(rows: table.values).allSatisfy { abs($0 - 0.5) < 1e-12 })
    }

    /// RFC 4180, as every CSV recon reads: a quoted number is that number, a quoted name may
    /// hold a comma. (`"3"` was "\"\"3\"\" is not a finite number".)
    @Test func readsQuotedFieldsAsRFC4180Says() throws {
        let table = try NumericTable(csv: "\"a, mm\",b\n1,2\n\"3\",\" 4 \"\n")
        #expect(table.columnNames == ["a, mm", "b"])
        #expect(table.values == [1, 2, 3, 4])
    }

    /// The largest single, as numpy prints it, rounds to a finite float32: taken, as scikit-learn takes it.
    @Test func theLargestSingleIsTaken() throws {
        #expect(try NumericTable(csv: "a,b\n3.4028235e38,2\n-3.4028235e38,4\n").rowCount == 2)
        #expect(throws: NumericTable.ParseError.self) { try NumericTable(csv: "a,b\n3.4028236e38,2\n") }
    }

    @Test(arguments: [
        ("a,b\n1,2\n3,x\n", "line 3, column 2 (b): \"x\" is not a finite number; write a decimal such as 12, -0.5 or 1e-3"),
        // Hexadecimal, which `Double` reads (0x400 as 1024), is not a decimal.
        ("a,b\n1,2\n0x400,2\n", "line 3, column 1 (a): \"0x400\" is not a finite number; write a decimal such as 12, -0.5 or 1e-3"),
        ("a,b\n1,0x1p3\n", "line 2, column 2 (b): \"0x1p3\" is not a finite number; write a decimal such as 12, -0.5 or 1e-3"),
        ("a,b\n1,2\n3,1e\n", "line 3, column 2 (b): \"1e\" is not a finite number; write a decimal such as 12, -0.5 or 1e-3"),
        // ±1.7e308 overflowed the splits' range: the two outliers scored lowest.
        ("a,b\n1,2\n-1.7e308,0\n", "line 3, column 1 (a): \"-1.7e308\" is too large: the forest works in single precision, as scikit-learn's does; values must be within ±3.4e38 (rescale the column)"),
        ("a,b\n1,\n", "line 2, column 2 (b): an empty cell is not a finite number; write a decimal such as 12, -0.5 or 1e-3"),
        ("a,b\n1,2\nnan,2\n", "line 3, column 1 (a): \"nan\" is not a finite number; write a decimal such as 12, -0.5 or 1e-3"),
        ("a,b\n1,2,3\n", "line 2: expected 2 values as in the header, found 3; every row needs one number per column"),
        ("a,,c\n1,2,3\n", "line 1, column 2: the header has an empty column name; name every column"),
        // A header left blank (`,,`) read as a blank line: the first row became the header, never scored.
        (",,\n1,2,3\n4,5,6\n", "line 1: the header's names are all empty (a line of commas); name every column in the first row"),
        // The same after Excel's "CSV UTF-8" BOM, or a blank line: refused only as the file's first bytes.
        ("\u{FEFF},,\n1,2,3\n4,5,6\n", "line 1: the header's names are all empty (a line of commas); name every column in the first row"),
        ("\r\n , ,\r\n1,2,3\n4,5,6\n", "line 2: the header's names are all empty (a line of commas); name every column in the first row"),
        ("", "the file is empty; it needs a header row and at least one row of numbers"),
        ("a,b\n\n", "the file has a header but no rows of numbers"),
    ])
    func rejectsBadInputWithItsPlace(csv: String, message: String) {
        #expect(throws: NumericTable.ParseError.self) { try NumericTable(csv: csv) }
        do {
            _ = try NumericTable(csv: csv)
        } catch {
            #expect("\(error)" == message)
        }
    }

    // MARK: recon outliers

    /// The process's answers (SPEC §8): a file that is not there is bad usage (exit 1, as for
    /// `recon ingest`; it was 2, input rejected), and a bad cell is input rejected (exit 2).
    @Test func outliersExitCodesSayWhoseMistakeItIs() throws {
        let site = try TestSite()
        let missing = try site.recon(["outliers", "--input", site.path("no-such.csv")], site: false)
        #expect(missing.code == 1, "\(missing.err)")
        #expect(missing.err.contains("no-such.csv"), "\(missing.err)")
        try "a,b\n1,x\n".write(toFile: site.path("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try site.recon(["outliers", "--input", site.path("bad.csv")], site: false)
        #expect(bad.code == 2 && bad.err.contains("line 2, column 2 (b): \"x\" is not a finite number"), "\(bad.err)")
        // A file larger than the machine's memory (sparse: no disk used) is said to be that, with
        // its size: it was "cannot read the file; check that it exists and is readable".
        #expect(FileManager.default.createFile(atPath: site.path("huge.csv"), contents: nil))
        if truncate(site.path("huge.csv"), 8 << 40) != 0 { #expect(truncate(site.path("huge.csv"), 64 << 30) == 0) }
        let huge = try site.recon(["outliers", "--input", site.path("huge.csv")], site: false)
        #expect(huge.code == 2 && huge.err.contains("bytes, more than this machine's memory") && !huge.err.contains("check that it exists"),
                "\(huge.err)")
    }

    /// A billion trees aborted the program on a 48 GB allocation: a usage mistake (exit 1) instead.
    @Test func outliersRefusesMoreTreesThanItCanHold() throws {
        let site = try TestSite()
        try "a,b\n1,2\n3,4\n".write(toFile: site.path("ok.csv"), atomically: true, encoding: .utf8)
        let huge = try site.recon(["outliers", "--input", site.path("ok.csv"), "--trees", "1000000000"], site: false)
        #expect(huge.code == 1 && huge.err.contains("--trees must be from 1 to 10000"), "\(huge.code) \(huge.err)")
        // A negative count is a value to judge, not a missing one ("Missing value for '--trees'").
        let negative = try site.recon(["outliers", "--input", site.path("ok.csv"), "--trees", "-3"], site: false)
        #expect(negative.code == 1 && negative.err.contains("--trees must be from 1 to 10000, got -3"), "\(negative.err)")
        let most = try site.recon(["outliers", "--input", site.path("ok.csv"), "--trees", "10000"], site: false)
        #expect(most.code == 0 && most.out.hasPrefix("score\n"), "\(most.err)")
    }

    @Test func outliersRanksThePlantedRowFirst() throws {
        var csv = "x,y\n"
        var generator = SeededGenerator(seed: 8)
        for _ in 0..<300 { csv += "\(generator.nextGaussian()),\(generator.nextGaussian())\n" }
        csv += "9,-9\n"
        for _ in 0..<100 { csv += "\(generator.nextGaussian()),\(generator.nextGaussian())\n" }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outliers-\(UUID().uuidString).csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let command = try Outliers.parse(["--input", path])
        #expect(command.trees == 100 && command.sample == 256 && command.seed == 0)
        let output = try command.render()
        let lines = output.split(separator: "\n")
        #expect(lines.first == "score")
        #expect(lines.count == 402)
        let scores = lines.dropFirst().compactMap { Double($0) }
        #expect(scores.count == 401)
        #expect(scores.indices.max { scores[$0] < scores[$1] } == 300)
        #expect(lines[1].split(separator: ".").last?.count == 6)
        #expect(try command.render() == output)
    }

    @Test(arguments: [
        (0.5, "0.500000"), (1.0, "1.000000"), (0.0000004, "0.000000"), (0.0123456789, "0.012346"),
        (0.9999996, "1.000000"), (0.7132431, "0.713243"),
    ])
    func scoresPrintWithSixDecimals(value: Double, text: String) {
        var output = ""
        Outliers.appendFixed6(value, to: &output)
        #expect(output == text)
    }

    /// Row-major standard normal values.
    private func gaussianRows(count: Int, features: Int, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(count * features)).map { _ in generator.nextGaussian() }
    }
}
