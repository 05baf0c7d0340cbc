import Foundation

/// Runs the real `recon` binary as its own process and measures it.
///
/// Every run sets `RECON_STAGES=1`, so a recon that can report its stage breakdown does,
/// and sends stderr to a temporary file of its own, read back after the run.
struct ReconRunner {
    let path: String
    /// How many times ``BenchSite/run(_:now:label:expecting:)`` runs a measured command.
    var runs = 1
    /// Seconds of idling before each measured run (``BenchSettings/idle``).
    var idle = 0

    /// The `recon` beside this `recon-bench`, or the one `RECON_BENCH_RECON` names (to
    /// measure another build).
    static func locate(runs: Int, idle: Int) throws -> ReconRunner {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/recon"
        let path = ProcessInfo.processInfo.environment["RECON_BENCH_RECON"] ?? beside
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchFailure("no recon binary at \(path): build it first (swift build -c release)")
        }
        return ReconRunner(path: path, runs: runs, idle: idle)
    }

    /// Whether the binary loads the Swift runtime as a shared library (`ldd` names
    /// `libswiftCore.so`): a development build, not the packaged one (`--static-swift-stdlib`).
    var loadsSwiftRuntime: Bool {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [path]
        let out = Pipe()
        ldd.standardOutput = out
        ldd.standardError = FileHandle.nullDevice
        guard (try? ldd.run()) != nil else { return false }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        return text.contains("libswiftCore.so")
    }

    /// Runs `recon ARGS` with `RECON_NOW=now`; prints a table row when `label` is given.
    ///
    /// - Throws: ``BenchFailure`` when the exit code is not in `expecting`, with the end of
    ///   its stderr; the whole stderr is kept in the temporary file it names.
    @discardableResult
    func run(_ args: [String], now: String, label: String?, expecting: Set<Int32> = [0]) throws -> Timing {
        try Interruption.check()
        var environment = ProcessInfo.processInfo.environment
        environment["RECON_NOW"] = now
        environment["RECON_STAGES"] = "1"
        let stderrPath = FileManager.default.temporaryDirectory.path + "/recon-bench-stderr-\(UUID().uuidString).txt"
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var pid: pid_t = 0
        let clock = ContinuousClock()
        let start = clock.now
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw BenchFailure("cannot start \(path): \(String(cString: strerror(spawned)))")
        }
        // wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in earlier runs).
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""

        if Interruption.isRequested { try? FileManager.default.removeItem(atPath: stderrPath) }
        try Interruption.check()
        let signal = status & 0x7f
        let code = (status >> 8) & 0xff
        guard signal == 0, expecting.contains(code) else {
            let how = signal != 0 ? "was killed by signal \(signal)" : "exited \(code)"
            throw BenchFailure("recon \(args.joined(separator: " ")) \(how); its stderr (whole in \(stderrPath)) ends:\n"
                               + String(stderr.suffix(800)))
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
        // ru_maxrss is in kilobytes on Linux.
        func inSeconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let timing = Timing(seconds: seconds, peakMB: Double(usage.ru_maxrss) / 1024,
                            faultedMB: Double(usage.ru_minflt) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576,
                            userSeconds: inSeconds(usage.ru_utime), systemSeconds: inSeconds(usage.ru_stime),
                            stages: StageBreakdown(stderr: stderr))
        if let label { BenchTable.row(label, timing) }
        return timing
    }
}
