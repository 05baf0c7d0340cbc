import Dispatch
import Foundation

/// What a finished process said and how it ended.
public struct ProcessOutput: Sendable {
    public var code: Int32
    public var out: String
    public var err: String

    public init(code: Int32, out: String, err: String) {
        self.code = code
        self.out = out
        self.err = err
    }
}

/// The one way tests run a program: standard output and standard error are drained at
/// the same time (a chatty standard error can never fill its pipe and hang the child
/// while the test waits on standard output), standard input is fed from another thread,
/// and the call returns once the process has exited.
public final class RunningProcess {
    public let process = Process()
    private let outPipe = Pipe(), errPipe = Pipe()
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var outData = Data(), errData = Data()

    /// Starts `executable` with `arguments`; `environment` entries are added to this
    /// process's environment; `input`, when given, is written to standard input and closed.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = input.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        try process.run()
        drain(outPipe) { self.outData = $0 }
        drain(errPipe) { self.errData = $0 }
        if let inPipe, let input {
            DispatchQueue.global().async(group: group) {
                inPipe.fileHandleForWriting.write(input)
                try? inPipe.fileHandleForWriting.close()
            }
        }
    }

    private func drain(_ pipe: Pipe, into store: @escaping (Data) -> Void) {
        DispatchQueue.global().async(group: group) {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            self.lock.lock()
            store(data)
            self.lock.unlock()
        }
    }

    /// The process identifier, for looking at the running process in `/proc`.
    public var pid: Int32 { process.processIdentifier }

    /// Waits for the process to end and both streams to close.
    public func finish() -> ProcessOutput {
        group.wait()
        process.waitUntilExit()
        lock.lock()
        defer { lock.unlock() }
        return ProcessOutput(
            code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
            err: String(decoding: errData, as: UTF8.self))
    }
}

public enum ProcessRunner {
    /// The full path of a program on PATH, or `nil` when it is not installed.
    public static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs `binary` as user and group 65534 (`nobody`) through setpriv, which needs root. A copy
    /// of recon the test has just written may still be open for writing in a process another test
    /// forked meanwhile, and exec then fails with "Text file busy": run again until it is not,
    /// for up to 30 s.
    public static func runAsNobody(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
        let setpriv = executable(named: "setpriv") ?? "/usr/bin/setpriv"
        let run = { try Self.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments, environment: environment) }
        var output = try run()
        _ = try wait(upTo: 30) {
            guard output.err.contains("Text file busy") else { return true }
            output = try run()
            return false
        }
        return output
    }

    /// Runs a program to its end (see ``RunningProcess``).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil
    ) throws -> ProcessOutput {
        try RunningProcess(executable, arguments, environment: environment, input: input).finish()
    }

    /// Waits until `condition` holds, looking every 20 ms, for at most `seconds`;
    /// returns whether it held. For conditions a test cannot be told about directly.
    public static func wait(upTo seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() >= deadline { return false }
            usleep(20_000)
        }
    }
}
