import Foundation

// `swift build -c release && .build/release/recon-bench [scale|backlog|history|scale4m|forest|all]`
// Sizes: RECON_BENCH_REPORTS (a month's reports, default 1,000,000; scale4m takes 4×),
// RECON_BENCH_MONTHS (history's closed months, default 12). RECON_BENCH_RECON: another recon to measure.
// RECON_BENCH_RUNS: runs a measured command (default 3; the median is shown). RECON_BENCH_IDLE=S idles S seconds before each. RECON_BENCH_KEEP=DIR keeps the last site a scenario built there.
// `recon-bench data DIR` writes the scale benchmark's drops into DIR, for profiling a command by hand.
let usage = "usage: recon-bench [scale|backlog|history|scale4m|forest|all] | recon-bench data DIR"
let which = CommandLine.arguments.dropFirst().first ?? "all"
let scenarios = ["scale", "backlog", "history", "scale4m", "forest"]
if ["help", "-h", "--help"].contains(which) {
    print(usage)
    exit(0)
}
guard which == "all" || which == "data" || scenarios.contains(which) else {
    print(usage)
    exit(1)
}

// Line by line even into a pipe or file: the long scenarios show their progress as they go.
setvbuf(stdout, nil, _IOLBF, 0)
Interruption.install()
let clock = ContinuousClock()
let started = clock.now
do {
    let settings = try BenchSettings.fromEnvironment()
    if which == "data" {
        guard CommandLine.arguments.count > 2 else {
            print(usage)
            exit(1)
        }
        try BenchData.write(to: CommandLine.arguments[2], reports: settings.reports)
        exit(0)
    }
    let needsRecon = which != "forest"
    let recon = needsRecon ? try ReconRunner.locate(runs: settings.runs, idle: settings.idle) : nil
    // The machine may be shared: its load beside the numbers says how far to trust them.
    if let recon { print("recon-bench: measuring \(recon.path) (RECON_STAGES=1), the median of \(recon.runs) runs a command\(recon.idle > 0 ? ", each after \(recon.idle) s idle" : ""); nproc \(ProcessInfo.processInfo.activeProcessorCount)\(loadAverage())") }
    if let recon, recon.loadsSwiftRuntime {
        // Sites run recon as scripts/package builds it; a development build starts slower.
        print("  (this recon loads the Swift runtime from libswiftCore.so; the packaged one has it linked in and starts "
            + "some 8 ms sooner: `swift build -c release --static-swift-stdlib` builds it so)")
    }
    func wanted(_ name: String) -> Bool { which == name || which == "all" }
    if let recon, wanted("scale") {
        try runScaleBenchmark(recon, name: "scale", reports: settings.reports, further: settings.furtherReports, compare: true)
    }
    if let recon, wanted("backlog") {
        try runBacklogBenchmark(recon, reports: settings.reports, drops: settings.backlogDrops, rows: settings.backlogRows)
    }
    if let recon, wanted("history") {
        try runHistoryBenchmark(recon, reports: settings.reports, months: settings.months)
    }
    if let recon, wanted("scale4m") {
        try runScaleBenchmark(recon, name: "scale4m", reports: 4 * settings.reports, further: settings.furtherReports, compare: false,
                              backlog: (settings.backlogDrops, settings.backlogRows))
    }
    if wanted("forest") {
        print("")
        runForestBenchmarks()
    }
} catch {
    print("recon-bench: \(error)")
    exit(1)
}
print("")
print("nproc \(ProcessInfo.processInfo.activeProcessorCount)\(loadAverage()); total wall time \(seconds(clock.now - started))")

/// `, load average 1.02 0.87 0.60`, or nothing where the system does not say.
func loadAverage() -> String {
    var load = [Double](repeating: 0, count: 3)
    return getloadavg(&load, 3) == 3 ? String(format: ", load average %.2f %.2f %.2f", load[0], load[1], load[2]) : ""
}
