import ArgumentParser
import Foundation
import Glibc
import Logging
import ReconKit

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Process the Inbox, then wait for new drops (inotify, polling fallback) until SIGINT/SIGTERM/SIGHUP.",
        discussion: "--once processes what is there and exits (for cron). A bad drop is rejected and watching goes on.")

    @OptionGroup var options: SiteOptions

    @Flag(help: "Process what is in the Inbox once and exit.")
    var once = false

    @Option(parsing: .unconditional, help: "Seconds a file's size and mtime must hold still before it is taken (default: recon.toml stable_seconds, else 1).")
    var stable: Double?

    @Flag(help: "Poll instead of using inotify.")
    var poll = false

    @Flag(help: "Print each drop's outcome as it is taken, one JSON object a line (as `recon ingest --json` lists them); a refusal too.")
    var json = false

    func validate() throws {
        if let stable, !(stable >= 0 && stable <= 3600) {
            throw ValidationError("--stable takes seconds from 0 to 3600, e.g. --stable 1")
        }
    }

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let site = options.siteValue
            let log = options.log
            let clock = try options.clock
            // Open the site as a writer once up front, as every writing command does: a wrong --site
            // or a site that does not verify fails at start, not at the first drop, and what an
            // interrupted command left (workbooks it owed, a checkpoint, documents) is put right
            // even when there is nothing to take (`--once` from cron).
            // Another writer holding the site (a long close) leaves this to the first batch's session.
            // Stop signals are taken from the start: one that comes while the site is opened and
            // put right (owed workbooks, a checkpoint) lets that finish, then the watch ends.
            Self.unblockStopSignals()
            let stopping = StopFlag()
            // A stop ends a wait for the lock at once: nothing is in hand while it waits.
            let stopSignal = StopSignal {
                stopping.set()
                SiteLock.waiting.giveUp()
            }
            SiteLock.waiting.onWait { [log] in
                log.notice("another recon command holds the site; waiting for it to finish (stop with Ctrl-C or SIGTERM)")
            }
            defer { stopSignal.cancel() }
            let config: SiteConfig
            do {
                let session = try SiteSession(site: site, writing: true, log: log, clock: clock)
                try session.repair()
                config = session.config
            } catch let busy as SiteLock.Busy {
                // Stopped while it waited: said as such (the wait did not run out), nothing taken.
                if stopping.isSet {
                    log.info("Stop requested by a signal while another recon command held the site; nothing taken")
                    return 0
                }
                // A cron run gives up once the lock's wait is over (exit 3); the next run takes the drops.
                if once { throw busy }
                config = try SiteSession(site: site, writing: false, log: log, clock: clock).config
            }
            // A batch says its wait itself, once a batch (``writingSession``): not again at each retry.
            SiteLock.waiting.onWait {}
            var watchOptions = WatchOptions()
            watchOptions.stableFor = .milliseconds(Int((stable ?? config.stableSeconds) * 1000))
            watchOptions.once = once
            // A file still changing after ten times the stable time (at least 2 s) waits for the next run.
            watchOptions.onceSettleLimit = max(watchOptions.stableFor * 10, .seconds(2))
            watchOptions.forcePolling = poll
            var worst: Int32 = 0
            if stopping.isSet {
                log.info("Stop requested by a signal while the site was opened; nothing taken")
                return 0
            }
            let watcher = InboxWatcher(inbox: site.inbox, options: watchOptions, log: log)
            log.info("watching \(site.inbox)\(once ? " once" : "; stop with Ctrl-C or SIGTERM")")
            try watcher.run { paths in
                do {
                    let session = try Self.writingSession(site, log: log, clock: clock, until: stopping, once: once)
                    var ingestor = Ingestor(session: session)
                    if json {
                        // A line a drop, out as soon as it is taken (before the batch's drafts): a
                        // watcher's reader follows a stream, and a crash must not lose the line of a
                        // drop already in the ledger.
                        ingestor.onOutcome = { outcome in
                            printJSON(outcome.json)
                            fflush(stdout)
                        }
                    }
                    let outcomes = try ingestor.ingest(paths.filter { FileIO.baseName($0) != "README.md" },
                                                       undecodable: Ingestor.inboxEntries(site).undecodable)
                    worst = max(worst, outcomes.map(\.exitCode).max() ?? 0)
                } catch {
                    // The watcher logs it and goes on; `--once` still ends with its code (a site
                    // that does not verify: 4), as `ingest` would.
                    worst = max(worst, ReconFailure.exitCode(for: error))
                    // The stream says it too, as `--once` answers it (its failure ends the command):
                    // a reader of the JSON lines saw nothing of a batch refused.
                    if json && !once {
                        let (message, exit) = failure(error)
                        printJSON(ErrorReport(message: message, exit: exit).answer)
                        fflush(stdout)
                    }
                    throw error
                }
            }
            return once ? worst : 0
        }
    }

    /// Opens and repairs a writing session, waiting for as long as another command (a long close, say) holds
    /// the site: a drop that failed only because the site was busy would otherwise wait until
    /// its file changes. Gives up only when a stop has been requested — or, with `--once` (cron),
    /// after the lock's wait like every other writer (exit 3): runs must not pile up behind a stuck one.
    static func writingSession(_ site: Site, log: Logger, clock: SiteClock, until stopping: StopFlag, once: Bool) throws -> SiteSession {
        // Said as the wait begins (it was said only once the lock's first wait ran out, ten seconds
        // on: a stop before then went unexplained), once a batch.
        let said = StopFlag()
        SiteLock.waiting.onWait { [log] in
            if said.setFirst() { log.notice("another recon command is writing the site; the drops wait until it has finished") }
        }
        defer { SiteLock.waiting.onWait {} }
        while true {
            do {
                let session = try SiteSession(site: site, writing: true, log: log, clock: clock)
                try session.repair()
                session.readAheadForDrafts()
                return session
            } catch let busy as SiteLock.Busy {
                if stopping.isSet {
                    throw ReconFailure.refused("stopped while another recon command held the site; the drops wait in the Inbox "
                        + "for the next run")
                }
                if once { throw busy }
            }
        }
    }

    /// Set once SIGINT or SIGTERM has arrived (or once a batch has said it waits); safe from any thread.
    final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false

        func set() {
            lock.lock()
            value = true
            lock.unlock()
        }

        /// Sets it; true the first time only.
        func setFirst() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            defer { value = true }
            return !value
        }

        var isSet: Bool {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
    }

    /// Unblocks the stop signals for this thread, the one that waits in `poll` (`pthread_sigmask`):
    /// a parent may start us with them blocked (a child spawned from a worker thread inherits
    /// that thread's mask), and the stop request would then never arrive.
    static func unblockStopSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in StopSignal.stopSignals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
