import Foundation

// `swift build -c release && .build/release/recon-bench [scale|forest|all]`
let which = CommandLine.arguments.dropFirst().first ?? "all"
if which == "data", CommandLine.arguments.count > 2 {
    // `recon-bench data DIR`: writes the scale benchmark's drops into DIR, for profiling by hand.
    let reports = Int(ProcessInfo.processInfo.environment["RECON_BENCH_REPORTS"] ?? "") ?? 1_000_000
    try BenchData.write(to: CommandLine.arguments[2], reports: reports)
    exit(0)
}
if which == "scale" || which == "all" { try runScaleBenchmark() }
if which == "forest" || which == "all" { runForestBenchmarks() }
