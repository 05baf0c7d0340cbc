/// One run of a `recon` command: its wall time, its own peak resident memory, the memory it
/// faulted in and the processor time it took, and its stage breakdown when recon gave one.
struct Timing {
    var seconds: Double
    var peakMB: Double
    /// Pages faulted in (minor faults), in megabytes: on a virtual machine that hands freed
    /// memory back to its host, touching a fresh page costs microseconds, so this is time too.
    var faultedMB: Double = 0
    /// Processor seconds in the program and in the kernel, over all its threads.
    var userSeconds: Double = 0
    var systemSeconds: Double = 0
    var stages: StageBreakdown?
    /// The fastest and slowest of the runs this one is the median of; nil for a single run.
    var range: (fastest: Double, slowest: Double)?

    /// The run of median wall time (with its breakdown), its wall times' range, and the most
    /// memory any run took.
    static func median(of runs: [Timing]) -> Timing {
        let sorted = runs.sorted { $0.seconds < $1.seconds }
        var middle = sorted[(sorted.count - 1) / 2]
        middle.peakMB = runs.map(\.peakMB).max() ?? middle.peakMB
        if let fastest = sorted.first, let slowest = sorted.last, runs.count > 1 {
            middle.range = (fastest.seconds, slowest.seconds)
        }
        return middle
    }
}
