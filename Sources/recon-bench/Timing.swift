/// One run of a `recon` command: its wall time, its own peak resident memory, and its
/// stage breakdown when recon gave one.
struct Timing {
    var seconds: Double
    var peakMB: Double
    var stages: StageBreakdown?
}
