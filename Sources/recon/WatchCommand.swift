import ArgumentParser
import ReconKit

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process the Inbox, then wait for new drops (inotify, polling fallback) until SIGINT/SIGTERM.",
        discussion: "--once processes what is there and exits (for cron). A bad drop is rejected and watching goes on.")

    @OptionGroup var options: SiteOptions

    @Flag(help: "Process what is in the Inbox once and exit.")
    var once = false

    @Option(help: "Seconds a file's size and mtime must hold still before it is taken (default: recon.toml stable_seconds, else 1).")
    var stable: Double?

    @Flag(help: "Poll instead of using inotify.")
    var poll = false

    func run() throws {
        try runReporting {
            let site = options.siteValue
            let log = options.log
            // Check the site once up front, so a wrong --site fails at start, not at the first drop.
            let config = try SiteSession(site: site, writing: false, log: log).config
            var watchOptions = WatchOptions()
            watchOptions.stableFor = .milliseconds(Int((stable ?? config.stableSeconds) * 1000))
            watchOptions.once = once
            watchOptions.forcePolling = poll
            var worst: Int32 = 0
            let watcher = InboxWatcher(inbox: site.inbox, options: watchOptions, log: log)
            log.info("watching \(site.inbox)\(once ? " once" : "; stop with Ctrl-C or SIGTERM")")
            try watcher.run { paths in
                let session = try SiteSession(site: site, writing: true, log: log)
                let outcomes = try Ingestor(session: session).ingest(paths.filter { FileIO.baseName($0) != "README.md" })
                worst = max(worst, outcomes.map(\.exitCode).max() ?? 0)
            }
            log.info("stopped")
            return once ? worst : 0
        }
    }
}
