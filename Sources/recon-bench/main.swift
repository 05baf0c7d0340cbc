import Foundation

// `swift build -c release && .build/release/recon-bench [scale|forest|all]`
let which = CommandLine.arguments.dropFirst().first ?? "all"
if which == "scale" || which == "all" { try runScaleBenchmark() }
if which == "forest" || which == "all" { runForestBenchmarks() }
