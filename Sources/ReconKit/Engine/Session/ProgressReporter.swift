import Foundation

/// One updating line of progress on a terminal, for work long enough to wonder about.
///
/// A million-row usage drop takes seconds to read, check and price; someone watching a
/// terminal should see it move. The line goes to standard error and is redrawn in place
/// (`\r`, then erase to the end of the line), at most every `interval`. When standard
/// error is not a terminal — a log file, a pipe, cron, systemd — it writes nothing at
/// all, so logs hold only the one summary line a drop (`isatty`).
///
/// ```swift
/// let progress = ProgressReporter("usage-2026-10.csv", total: rowCount, unit: "rows")
/// progress.phase("checking")
/// for (i, row) in rows.enumerated() { …; progress.advance(to: i + 1) }
/// progress.finish()   // erases the line, so the summary log line stands alone
/// ```
///
/// Calls are cheap when nothing is shown (one stored Boolean), and safe from any thread.
public final class ProgressReporter: @unchecked Sendable {
    /// Whether the line is drawn at all: the descriptor is a terminal and drawing was enabled.
    public let isShowing: Bool

    private let label: String
    private let unit: String
    private let descriptor: Int32
    private let interval: Duration
    private let clock = ContinuousClock()
    private let lock = NSLock()

    private var total: Int?
    private var done = 0
    private var phaseText = ""
    private var lastDrawn: ContinuousClock.Instant?
    private var drewSomething = false
    private var finished = false

    /// Starts a progress line about `label` (a drop's name, a period).
    ///
    /// - Parameters:
    ///   - label: what the work is about, shown first.
    ///   - total: how many units the work holds, when known; the line then shows a percentage.
    ///   - unit: what is counted (`rows`, `bytes`, `reports`).
    ///   - enabled: `false` to stay silent even on a terminal (e.g. with `--log-format json`,
    ///     whose readers want one JSON object a line).
    ///   - fileDescriptor: where to draw; standard error unless a test says otherwise.
    ///   - interval: the least time between two redraws.
    public init(
        _ label: String, total: Int? = nil, unit: String = "rows", enabled: Bool = true,
        fileDescriptor: Int32 = Terminal.standardError, interval: Duration = .milliseconds(100)
    ) {
        self.label = label
        self.total = total
        self.unit = unit
        self.descriptor = fileDescriptor
        self.interval = interval
        self.isShowing = enabled && Terminal.isTerminal(fileDescriptor)
    }

    /// Names the stage the work is in (`reading`, `checking`, `pricing 2026-10`) and redraws at once.
    public func phase(_ text: String) {
        guard isShowing else { return }
        lock.lock()
        defer { lock.unlock() }
        phaseText = text
        draw(force: true)
    }

    /// Records that `count` units are done, redrawing if `interval` has passed since the last redraw.
    public func advance(to count: Int) {
        guard isShowing else { return }
        lock.lock()
        defer { lock.unlock() }
        done = count
        draw(force: false)
    }

    /// Changes the total when it becomes known (after a file has been counted, say).
    public func setTotal(_ newTotal: Int?) {
        guard isShowing else { return }
        lock.lock()
        defer { lock.unlock() }
        total = newTotal
    }

    /// Erases the line, leaving the terminal as it was; later calls do nothing.
    public func finish() {
        guard isShowing else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if drewSomething { emit("\r\u{1B}[K") }
    }

    /// The text of the line as it stands, without the terminal controls.
    var line: String {
        var text = label
        if !phaseText.isEmpty { text += ": " + phaseText }
        if done > 0 || total != nil {
            text += " " + Digits.grouped(done)
            if let total, total > 0 {
                text += " / \(Digits.grouped(total)) \(unit) (\(min(100, done * 100 / total))%)"
            } else {
                text += " \(unit)"
            }
        }
        return text
    }

    /// Draws the line if forced or if `interval` has passed. Called with `lock` held.
    private func draw(force: Bool) {
        guard !finished else { return }
        let now = clock.now
        if !force, let last = lastDrawn, now - last < interval { return }
        lastDrawn = now
        drewSomething = true
        emit("\r\u{1B}[K" + line)
    }

    private func emit(_ text: String) {
        Terminal.writeBestEffort(text, to: descriptor)  // a progress line never fails the work
    }
}
