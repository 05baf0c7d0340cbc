import ArgumentParser
import ReconKit

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open and closed periods, draft totals, undecided flags, held and rejected drops, ledger head.")

    @OptionGroup var options: SiteOptions

    @Flag(help: "Print as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let session = try SiteSession(site: options.siteValue, writing: false, log: options.log, clock: options.clock)
            keepUntilExit(session)
            let report = StatusReport(session: session)
            if json { printJSON(try report.json) } else { print(try report.text, terminator: "") }
            return 0
        }
    }
}
