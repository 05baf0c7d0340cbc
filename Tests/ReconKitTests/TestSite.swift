import Foundation
import Testing

/// A temporary site folder for one test, and a way to run the built `recon` binary in it.
final class TestSite {
    let root: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path + "/recon-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        root = base
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    struct Run {
        var code: Int32
        var out: String
        var err: String
    }

    /// The `recon` executable SwiftPM built beside the test bundle.
    static var binary: String {
        let candidates = [Bundle.main.bundleURL.path, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path]
            .flatMap { [$0 + "/recon", URL(fileURLWithPath: $0).deletingLastPathComponent().path + "/recon"] }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "recon"
    }

    /// Runs `recon ARGS --site ROOT` (the site option is added unless `site: false`).
    @discardableResult
    func recon(_ args: [String], site: Bool = true, env: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestSite.binary)
        p.arguments = args + (site ? ["--site", root] : [])
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// Puts a drop into the Inbox the way finance staff do: written under `.part`, then renamed.
    func drop(_ name: String, _ text: String) throws {
        let part = root + "/Inbox/" + name + ".part"
        try text.write(toFile: part, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: part, toPath: root + "/Inbox/" + name)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// The independent auditor's verifier beside the repository (`../shared/tools/ledger_verify.py`), if present.
    static var auditorVerifier: String? {
        var dir = URL(fileURLWithPath: #filePath)  // <repo>/Tests/ReconKitTests/TestSite.swift
        for _ in 0..<3 { dir.deleteLastPathComponent() }  // <repo>
        let script = dir.deletingLastPathComponent().path + "/shared/tools/ledger_verify.py"
        return FileManager.default.fileExists(atPath: script) ? script : nil
    }

    /// Runs the auditor's verifier with --strict; nil (and a printed note) when it is absent.
    func auditorVerify() throws -> Run? {
        guard let script = TestSite.auditorVerifier else {
            print("note: ../shared/tools/ledger_verify.py is not present here; the independent verifier check is skipped")
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, root, "--strict"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let run = Run(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
        if run.err.contains("No module named") {
            print("note: python3 lacks a module ledger_verify.py needs (\(run.err.split(separator: "\n").last ?? "")); the independent verifier check is skipped")
            return nil
        }
        return run
    }
}
