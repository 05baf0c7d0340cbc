import ArgumentParser
import Foundation
import ReconKit

/// `recon outliers`: scores every row of a numeric CSV with an Isolation Forest.
struct Outliers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outliers",
        abstract: "Score every row of a numeric CSV with an Isolation Forest.",
        discussion: """
            The input has a header row and one feature per column. The output is CSV with \
            one column, `score`: the anomaly score in (0, 1] of each row, in input order, \
            higher is more anomalous (the quantity scikit-learn's -score_samples returns). \
            The same input, trees, sample and seed always give the same scores. \
            It reads only --input and touches no site: --site is accepted, as every command takes it (SPEC §1), and changes nothing.
            """)

    @OptionGroup var logOptions: LogOptions

    @Option(name: .long, help: "The numeric CSV to score.")
    var input: String

    /// Taken so that a script giving every command the site's folder runs this one too.
    @Option(name: .long, help: "Accepted as by every command; outliers touches no site.")
    var site: String?

    @Option(name: .long, parsing: .unconditional, help: "The number of trees (at most \(Self.mostTrees)).")
    var trees: Int = 100

    @Option(name: .long, parsing: .unconditional, help: "Rows per tree (capped at the number of rows).")
    var sample: Int = 256

    @Option(name: .long, parsing: .unconditional, help: "The seed of the forest's randomness.")
    var seed: UInt64 = 0

    /// Beyond this many trees the scores no longer move, and the forest's memory would outgrow the machine.
    static let mostTrees = 10_000

    func validate() throws {
        guard (1...Self.mostTrees).contains(trees) else {
            throw ValidationError("--trees must be from 1 to \(Self.mostTrees), got \(trees) (100 is scikit-learn's default).")
        }
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1, got \(sample).") }
    }

    func run() throws {
        try runReporting(logOptions.logFormat) {
            // A file that is not there is the command's mistake, not its input's (SPEC §8: exit 1).
            guard FileStatus.of(input) != nil else {
                throw ReconFailure.usage("no such file: \(SafeText.escaped(input)) — name with --input the CSV of numbers to score")
            }
            let output: String
            do {
                output = try render()
            } catch let error as NumericTable.ParseError {
                throw ReconFailure.rejected("\(input): \(error)")
            }
            // The scores are the output: a failed write fails the command, said as the others say it.
            print(output, terminator: "")
            return 0
        }
    }

    /// Reads the input, grows the forest and returns the CSV to print.
    ///
    /// - Throws: `NumericTable.ParseError` for input that is not a numeric CSV.
    func render() throws -> String {
        let table = try NumericTable(contentsOfFile: input)
        let forest = IsolationForest(
            rows: table.values, featureCount: table.columnCount, trees: trees, sampleSize: sample, seed: seed)
        var output = "score\n"
        output.reserveCapacity(9 * table.rowCount + 6)
        for score in forest.scores(rows: table.values) {
            Outliers.appendFixed6(score, to: &output)
            output += "\n"
        }
        return output
    }

    /// Appends a score in [0, 1] with six decimals (`0.512345`), rounded half away from
    /// zero; much faster than `String(format:)` for 100,000 rows.
    static func appendFixed6(_ value: Double, to output: inout String) {
        let micros = Int((value * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        output += String(micros / 1_000_000)
        output += "."
        output += String(repeating: "0", count: 6 - fraction.count)
        output += fraction
    }
}
