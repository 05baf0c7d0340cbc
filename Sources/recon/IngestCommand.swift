import ArgumentParser
import ReconKit

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process named files as drops, or everything in the Inbox once.",
        discussion: "Exit code: the worst outcome among the files — 0 accepted or already accepted, 2 rejected, 3 held.")

    @OptionGroup var options: SiteOptions

    @Flag(help: "Print the outcome of each drop as JSON.")
    var json = false

    @Argument(help: "Drop files; none means everything in Inbox/.")
    var files: [String] = []

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let session = try SiteSession(site: options.siteValue, writing: true, log: options.log)
            let paths = files.isEmpty ? Ingestor.inboxDrops(session.site) : files.sorted(by: Ingestor.processingOrder)
            let outcomes = try Ingestor(session: session).ingest(paths)
            for o in outcomes {
                if case .rejected(let name, let problems) = o, !json {
                    print("\(name): rejected")
                    for p in problems { print("  \(p)") }
                }
            }
            if json { printJSON(.array(outcomes.map(\.json))) }
            if outcomes.isEmpty { print("nothing to ingest") }
            return outcomes.map(\.exitCode).max() ?? 0
        }
    }
}
