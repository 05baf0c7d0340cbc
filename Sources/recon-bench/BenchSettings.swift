import Foundation

/// The benchmarks' sizes: the by default, smaller through environment knobs for a
/// quick check (`RECON_BENCH_REPORTS=20000 RECON_BENCH_MONTHS=2`).
struct BenchSettings {
    /// Reports in a month (`RECON_BENCH_REPORTS`, default 1,000,000); `scale4m` takes four times it.
    var reports = 1_000_000
    /// Closed months in the `history` site (`RECON_BENCH_MONTHS`, default 12, at most 60).
    var months = 12
    /// The backlog: this many small drops of `backlogRows` reports each.
    var backlogDrops = 200
    var backlogRows = 50
    /// The further drop into a month already held.
    var furtherReports = 10_000
    /// How many times each measured command runs from the same starting site
    /// (`RECON_BENCH_RUNS`, default 3): the table shows the median and the range.
    var runs = 3
    /// Seconds the machine sits idle before each measured run (`RECON_BENCH_IDLE`, default 0),
    /// as it does between a site's drops: on a virtual machine, memory then comes back from the
    /// host at a cost that runs back to back do not show.
    var idle = 0

    static func fromEnvironment() throws -> BenchSettings {
        var settings = BenchSettings()
        let env = ProcessInfo.processInfo.environment
        if let text = env["RECON_BENCH_REPORTS"] {
            guard let n = Int(text), n >= 100 else {
                throw BenchFailure("RECON_BENCH_REPORTS takes a whole number of reports, at least 100, e.g. 20000")
            }
            settings.reports = n
        }
        if let text = env["RECON_BENCH_MONTHS"] {
            guard let n = Int(text), (1...60).contains(n) else {
                throw BenchFailure("RECON_BENCH_MONTHS takes a number of months from 1 to 60, e.g. 2")
            }
            settings.months = n
        }
        if let text = env["RECON_BENCH_RUNS"] {
            guard let n = Int(text), (1...15).contains(n) else {
                throw BenchFailure("RECON_BENCH_RUNS takes a number of runs from 1 to 15, e.g. 5")
            }
            settings.runs = n
        }
        if let text = env["RECON_BENCH_IDLE"] {
            guard let n = Int(text), (0...600).contains(n) else {
                throw BenchFailure("RECON_BENCH_IDLE takes whole seconds of idling before each measured run, 0 to 600, e.g. 30")
            }
            settings.idle = n
        }
        return settings
    }
}
