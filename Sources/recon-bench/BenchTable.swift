import Foundation

/// Prints the benchmarks' tables: a line per command with its wall time and peak memory,
/// its processor time and the memory it faulted in beneath, then its stage breakdown.
enum BenchTable {
    static let labelWidth = 72

    static func title(_ text: String) {
        print("")
        print(text)
    }

    static func row(_ label: String, _ timing: Timing) {
        let range = timing.range.map { String(format: "  (runs %.2f–%.2f s)", $0.fastest, $0.slowest) } ?? ""
        print("  " + label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
              + String(format: " %7.2f s  peak %5.0f MB", timing.seconds, timing.peakMB) + range)
        print("      " + String(format: "processor %.2f s + kernel %.2f s; %.0f MB of pages faulted in",
                                timing.userSeconds, timing.systemSeconds, timing.faultedMB))
        for line in (timing.stages?.lines(width: labelWidth + 24) ?? []) + (timing.stages?.memoryLines(width: labelWidth + 24) ?? []) {
            print("      " + line)
        }
    }

    static func note(_ text: String) {
        print("  " + text)
    }
}
