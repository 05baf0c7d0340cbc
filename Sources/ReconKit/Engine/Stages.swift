import Foundation

/// Where a command's time goes, for the benchmark and for anyone profiling a slow site.
///
/// Off unless `RECON_STAGES=1`; then the CLI prints one line to standard error as the command
/// ends: `stages: open=0.012 replay=0.480 parse=0.365 …` (seconds, in the order each stage
/// first ran; a stage that runs again adds to its total). One process-wide recorder: stages
/// are measured from deep inside the engine, and threading a recorder through every call for
/// a diagnostic would cost more clarity than it buys. Recording is cheap and thread-safe.
public final class Stages: @unchecked Sendable {
    public static let shared = Stages(enabled: ProcessInfo.processInfo.environment["RECON_STAGES"] == "1")

    public let enabled: Bool
    private let lock = NSLock()
    private var order: [String] = []
    private var totals: [String: Double] = [:]

    init(enabled: Bool) { self.enabled = enabled }

    /// Runs `body` and adds its wall time to `name`.
    @discardableResult
    public static func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let recorder = shared
        guard recorder.enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { recorder.add(name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
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
}
