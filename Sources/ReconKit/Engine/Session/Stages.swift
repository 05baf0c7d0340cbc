import Foundation

/// Where a command's time goes, for the benchmark and for anyone profiling a slow site.
///
/// Off unless `RECON_STAGES=1`; then the CLI prints one line to standard error as the command
/// ends: `stages: open=0.012 replay=0.480 parse=0.365 …` (seconds, in the order each stage
/// first ran; a stage that runs again adds to its total). One process-wide recorder: stages
/// are measured from deep inside the engine, and threading a recorder through every call for
/// a diagnostic would cost more clarity than it buys. Recording is cheap and thread-safe.
///
/// A second line says what the peak memory is made of: `memory: read=81 parse=175 … peak=239`,
/// the megabytes resident as each stage ended (the most over its runs) and the process's peak.
public final class Stages: @unchecked Sendable {
    public static let shared = Stages(enabled: ProcessInfo.processInfo.environment["RECON_STAGES"] == "1")

    public let enabled: Bool
    private let lock = NSLock()
    private var order: [String] = []
    private var totals: [String: Double] = [:]
    /// Kilobytes resident as each stage ended, the most over its runs.
    private var resident: [String: Int] = [:]

    init(enabled: Bool) { self.enabled = enabled }

    /// Runs `body` and adds its wall time to `name`.
    @discardableResult
    public static func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let recorder = shared
        guard recorder.enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            recorder.add(name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            recorder.noteResident(name, Self.residentKilobytes())
        }
        return try body()
    }

    private func noteResident(_ name: String, _ kilobytes: Int?) {
        guard let kilobytes else { return }
        lock.lock()
        defer { lock.unlock() }
        resident[name] = max(resident[name] ?? 0, kilobytes)
    }

    /// The kilobytes resident now: the second field of `/proc/self/statm`, in pages, read
    /// with one system call into a buffer on the stack. A command times a stage some 150
    /// times (a 10-row drop after a year); `/proc/self/status` read through Foundation each
    /// time cost some 60 µs a read, a few percent of the very time being measured.
    static func residentKilobytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> Int? in
            let count = read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            // "size resident shared …": the number after the first space.
            var i = 0
            while i < count, buffer[i] != UInt8(ascii: " ") { i += 1 }
            i += 1
            var pages = 0, digits = 0
            while i < count, buffer[i] >= UInt8(ascii: "0"), buffer[i] <= UInt8(ascii: "9") {
                pages = pages * 10 + Int(buffer[i] - UInt8(ascii: "0"))
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            return pages * (sysconf(Int32(_SC_PAGESIZE)) / 1024)
        }
    }

    /// A `kB` field of `/proc/self/status` (`VmRSS:` now, `VmHWM:` the peak); nil where there is none.
    static func statusKilobytes(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
        else { return nil }
        return Int(line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }

    public func add(_ name: String, _ seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        if totals[name] == nil { order.append(name) }
        totals[name, default: 0] += seconds
    }

    /// The line the CLI prints, or nil when recording is off or nothing ran.
    public var line: String? {
        lock.lock()
        defer { lock.unlock() }
        guard enabled, !order.isEmpty else { return nil }
        return "stages: " + order.map { "\($0)=\(String(format: "%.3f", totals[$0] ?? 0))" }.joined(separator: " ")
    }

    /// The memory line the CLI prints after ``line``, or nil when recording is off or nothing ran.
    public var memoryLine: String? {
        lock.lock()
        defer { lock.unlock() }
        guard enabled, !order.isEmpty else { return nil }
        let stages = order.compactMap { name in resident[name].map { "\(name)=\($0 / 1024)" } }
        let peak = Self.statusKilobytes("VmHWM:").map { " peak=\($0 / 1024)" } ?? ""
        return "memory: " + stages.joined(separator: " ") + peak
    }
}
