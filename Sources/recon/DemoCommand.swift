import ArgumentParser
import Foundation
import ReconDemo
import ReconKit

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a sample site with a year of history and run it end to end.",
        discussion: """
            Creates the site recon-demo (base INR, Asia/Kolkata) with 24 clients in INR, USD, EUR, JPY and KWD, \
            15 radiologists, rate cards in both tier modes (one agreed retroactively), monthly FX rates and about \
            60,000 reports; decides the over-contract reports, closes 2025-11 … 2026-10 on their dates, applies late \
            September reports with a signed rerun (credit note, new invoice, payout adjustments), issues a goodwill \
            credit, and leaves 2026-11 open with drafts. The history is the same on every run; the demo operator's \
            private key is deleted at the end.

            Refuses (exit 3) a folder holding another site. A previous demo is rebuilt: its Inbox/, Outbox/ and \
            Ledger/ contents and recon.toml are removed (README.md files stay).
            """)

    @OptionGroup var options: SiteOptions

    @Flag(name: .shortAndLong, help: "Log every drop, flag and document as it happens.")
    var verbose = false

    func run() throws {
        try runReporting(options.logFormat) {
            var log = options.log
            log.logLevel = verbose ? .info : .warning
            let demo = DemoSite(site: options.siteValue, log: log) { line in
                print(line)
                fflush(stdout)
            }
            // A stop ends the demo between its steps, never inside one (as `recon watch` between batches).
            Watch.unblockStopSignals()
            let asked = AskedSignal()
            let stopSignal = StopSignal { signal in
                asked.set(signal)
                SiteLock.waiting.giveUp()
            }
            defer { stopSignal.cancel() }
            demo.stopAsked = { asked.value }
            let summary: DemoSummary
            do {
                summary = try demo.run()
            } catch let stopped as DemoStopped {
                options.log.error("\(stopped.message)")
                return 128 + stopped.signal
            }
            print("")
            for line in summary.lines { print(line) }
            return 0
        }
    }
}

/// The first stop signal asked for, kept for a loop to look at between its steps.
final class AskedSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var signal: Int32?

    func set(_ signal: Int32) { lock.withLock { if self.signal == nil { self.signal = signal } } }
    var value: Int32? { lock.withLock { signal } }
}
