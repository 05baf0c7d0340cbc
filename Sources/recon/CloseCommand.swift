import ArgumentParser
import ReconKit

struct Close: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close a period: issue final invoices and payout statements, append period.closed, sign a checkpoint.",
        discussion: "Refuses (exit 3), listing why, while a hard flag is undecided or an UNPRICED/FX_MISSING problem remains.")

    @OptionGroup var options: SiteOptions

    @Argument(help: "The period, YYYY-MM (e.g. 2026-10).", transform: Period.argument)
    var period: Period

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, useCache: false, clock: options.clock)
            keepUntilExit(session)
            try session.repair()
            let result = try Closer(session: session).close(period)
            if json {
                printJSON(.object(["ok": .bool(true), "period": .string(period.description), "documents": .array(result.documents.map { .string($0) }),
                                   "checkpoint": CheckpointWords.json(result.checkpoint)]))
            } else {
                print("closed \(period): \(result.documents.count) documents issued"
                      + (result.documents.isEmpty ? "" : " (\(result.documents.first!) … \(result.documents.last!))"))
                print(CheckpointWords.text(result.checkpoint) + "; documents under Outbox/\(period)/")
            }
            return 0
        }
    }
}
