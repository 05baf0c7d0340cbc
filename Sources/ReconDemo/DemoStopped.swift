import Foundation
import ReconKit

/// `recon demo` asked to stop (Ctrl-C, SIGTERM, SIGHUP) between its steps: the site holds
/// the history up to the last step done, each one a command that finished whole.
public struct DemoStopped: Error {
    public let signal: Int32
    public let stepsDone: Int
    public let steps: Int
    /// The moment of the history the last step done replayed, nil before the first.
    public let through: Date?

    init(signal: Int32, stepsDone: Int, of steps: Int, through: Date?) {
        (self.signal, self.stepsDone, self.steps, self.through) = (signal, stepsDone, steps, through)
    }

    /// What the demo says as it stops.
    public var message: String {
        let upTo = through.map { " (the history up to \(SiteClock.text($0).prefix(10)))" } ?? ""
        return "stopped by \(SignalHold.name(of: signal)) after \(stepsDone) of \(steps) steps\(upTo): the site holds what those "
            + "steps recorded, each whole, and verifies; run `recon demo` again to build it to the end"
    }
}
