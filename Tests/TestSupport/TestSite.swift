import Foundation

/// A temporary site folder for one test, and a way to run the built `recon` binary in it.
public final class TestSite {
    public let root: String

    public init() throws {
        let base = FileManager.default.temporaryDirectory.path + "/recon-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        root = base
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Another temporary site holding a copy of this one's files (the same site key): the same
    /// command run in both, one of them disturbed, must end in the same bytes.
    public func copy() throws -> TestSite {
        let twin = try TestSite()
        try FileManager.default.removeItem(atPath: twin.root)
        try FileManager.default.copyItem(atPath: root, toPath: twin.root)
        return twin
    }

    public typealias Run = ProcessOutput

    /// The `recon` executable SwiftPM built beside the test bundle.
    public static var binary: String {
        let candidates = [Bundle.main.bundleURL.path, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path]
            .flatMap { [$0 + "/recon", URL(fileURLWithPath: $0).deletingLastPathComponent().path + "/recon"] }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "recon"
    }

    /// Runs `recon ARGS --site ROOT` (the site option is added unless `site: false`).
    @discardableResult
    public func recon(_ args: [String], site: Bool = true, env: [String: String] = [:]) throws -> Run {
        try ProcessRunner.run(TestSite.binary, args + (site ? ["--site", root] : []), environment: env)
    }

    /// Runs `recon ARGS --site ROOT`; a run still going after `seconds` is killed (SIGKILL: a
    /// process blocked opening a FIFO does not act on SIGTERM) and said to be, instead of
    /// hanging the suite.
    public func reconOrKill(_ args: [String], env: [String: String] = [:], seconds: Double = 60) throws -> (Run, killed: Bool) {
        let running = try start(args, env: env)
        let ended = ProcessRunner.wait(upTo: seconds) { !running.process.isRunning }
        if !ended { kill(running.pid, SIGKILL) }
        return (running.finish(), !ended)
    }

    /// Starts `recon ARGS --site ROOT` and returns while it runs.
    public func start(_ args: [String], env: [String: String] = [:]) throws -> RunningProcess {
        try RunningProcess(TestSite.binary, args + ["--site", root], environment: env)
    }

    /// Puts a drop into the Inbox the way finance staff do: written under `.part`, then renamed.
    public func drop(_ name: String, _ text: String) throws {
        let part = root + "/Inbox/" + name + ".part"
        try text.write(toFile: part, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: part, toPath: root + "/Inbox/" + name)
    }

    public func path(_ relative: String) -> String { root + "/" + relative }

    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    public func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// The independent auditor's verifier beside the repository (`../shared/tools/ledger_verify.py`), if present.
    public static var auditorVerifier: String? {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/TestSupport/TestSite.swift
        for _ in 0..<3 { dir.deleteLastPathComponent() }  // <repo>
        let script = dir.deletingLastPathComponent().path + "/shared/tools/ledger_verify.py"
        return FileManager.default.fileExists(atPath: script) ? script : nil
    }

    /// Runs the auditor's verifier with --strict; nil (and a printed note) when it is absent.
    public func auditorVerify() throws -> Run? {
        guard let script = TestSite.auditorVerifier else {
            print("note: ../shared/tools/ledger_verify.py is not present here; the independent verifier check is skipped")
            return nil
        }
        let run = try ProcessRunner.run("/usr/bin/env", ["python3", script, root, "--strict"])
        if run.err.contains("No module named") {
            print("note: python3 lacks a module ledger_verify.py needs (\(run.err.split(separator: "\n").last ?? "")); the independent verifier check is skipped")
            return nil
        }
        return run
    }
}
