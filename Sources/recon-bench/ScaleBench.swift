import Foundation

/// A month of 1,000,000 reports over 200 clients and 300 radiologists, run through the real
/// `recon` binary in a temporary site: wall time and peak memory of each command.
func runScaleBenchmark() throws {
    let reports = Int(ProcessInfo.processInfo.environment["RECON_BENCH_REPORTS"] ?? "") ?? 1_000_000
    let recon = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/recon"
    guard FileManager.default.isExecutableFile(atPath: recon) else {
        print("recon-bench: build recon first (swift build -c release); looked for \(recon)")
        exit(1)
    }
    let site = FileManager.default.temporaryDirectory.path + "/recon-bench-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: site) }
    let data = site + "-data"
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: data) }

    print("scale benchmark: \(reports) reports, 200 clients, 300 radiologists, one month (2026-10)")
    let gen = Date()
    try BenchData.write(to: data, reports: reports)
    print(String(format: "  generated the drops in %.2f s", Date().timeIntervalSince(gen)))

    let env = ["RECON_NOW": "2026-11-02T09:00:00Z"]
    _ = try timed(recon, ["init", "--site", site, "--name", "bench", "--base-currency", "INR"], env: env, label: nil)
    _ = try timed(recon, ["ingest", "--site", site] + ["clients.csv", "radiologists.csv", "provider_rates.csv",
                                                        "client_rates.csv", "fx_rates.csv"].map { data + "/" + $0 },
                  env: env, label: "master data and cards")
    // Finance staff put the month's file into the Inbox by rename, as SPEC §2 describes.
    try FileManager.default.moveItem(atPath: data + "/usage-month.csv", toPath: site + "/Inbox/usage-month.csv")
    let big = try timed(recon, ["ingest", "--site", site], env: env,
                        label: "ingest \(reports) reports (parse, check, archive, ledger, drafts)")
    let status = try timed(recon, ["status", "--site", site], env: env, label: "draft the month (recon status: load, price, flag)")
    try FileManager.default.moveItem(atPath: data + "/usage-more.csv", toPath: site + "/Inbox/usage-more.csv")
    let small = try timed(recon, ["ingest", "--site", site], env: env,
                          label: "a further 10,000-report drop into that month")
    let close = try timed(recon, ["close", "2026-10", "--site", site], env: env, label: "close the month (400+ documents)")
    let verify = try timed(recon, ["verify", "--site", site], env: env, label: "verify")
    print(String(format: "  ingest + close of the month: %.2f s; peak memory %.0f MB", big.seconds + close.seconds,
                 max(big.peakMB, close.peakMB)))
    _ = (status, small, verify)
}

struct Timing {
    var seconds: Double
    var peakMB: Double
}

/// Runs a command with posix_spawn and wait4, printing its wall time and its own peak
/// resident memory (wait4's rusage is per child, unlike RUSAGE_CHILDREN).
func timed(_ exe: String, _ args: [String], env: [String: String], label: String?) throws -> Timing {
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in env { environment[k] = v }
    let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/tmp/recon-bench-stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var pid: pid_t = 0
    let start = Date()
    guard posix_spawn(&pid, exe, &actions, nil, argv, envp) == 0 else {
        throw NSError(domain: "recon-bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot start \(exe)"])
    }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let seconds = Date().timeIntervalSince(start)
    let peak = Double(usage.ru_maxrss) / 1024
    let code = (status >> 8) & 0xff
    if code != 0 && code != 3 {
        let err = (try? String(contentsOfFile: "/tmp/recon-bench-stderr.txt", encoding: .utf8)) ?? ""
        print("  \(args.first ?? "") failed (\(code)): \(err.suffix(600))")
    }
    if let label {
        print("  " + label.padding(toLength: 72, withPad: " ", startingAt: 0)
              + String(format: " %6.2f s  peak %5.0f MB", seconds, peak))
    }
    return Timing(seconds: seconds, peakMB: peak)
}
