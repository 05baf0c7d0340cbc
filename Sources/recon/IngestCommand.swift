import ArgumentParser
import ReconKit

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Process named files as drops, or everything in the Inbox once.",
        discussion: """
            Exit code: the worst outcome among the files — 0 accepted or already accepted, 2 rejected \
            (also a named file that is not a regular file: it is refused, never read or waited on), 3 held; \
            1 when a named file is not there, or was gone before its turn (another command took it).
            With --dry-run, says what each drop would do and changes nothing.
            """)

    @OptionGroup var options: SiteOptions

    @Flag(help: "Print the outcome of each drop as JSON.")
    var json = false

    @Flag(help: "Say what each drop would do (accepted with its rows, rejected with its problems, held, duplicate) and change nothing.")
    var dryRun = false

    @Argument(help: "Drop files; none means everything in Inbox/.")
    var files: [String] = []

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            // A named file that is not there is bad usage, said before any file is taken: the
            // others must not be half done behind an exit code that speaks for one file only.
            // A name that is not UTF-8 reaches us with U+FFFD in place of its odd bytes: found by
            // the bytes the shell passed, it is rejected by its name (never "no such file").
            var undecodable: [(folder: String, name: UndecodableName)] = []
            var named: [String] = []
            var missing: [String] = []
            for file in files {
                if FileStatus.of(file) != nil {
                    named.append(file)
                } else if let entry = RawArgument.undecodableFile(named: file) {
                    undecodable.append(entry)
                } else {
                    missing.append(file)
                }
            }
            if !missing.isEmpty {
                throw ReconFailure.usage("no such file: \(missing.map { SafeText.escaped($0) }.joined(separator: ", ")); nothing was ingested — "
                    + "name files that exist, or give none to take everything in Inbox/")
            }
            // A dry run only reads: it takes no writer lock and writes nothing.
            let open = {
                try SiteSession(site: options.siteValue, writing: !dryRun, predicting: dryRun, log: options.log,
                                rebuilding: !dryRun, clock: options.clock)
            }
            let session = dryRun ? try SiteSession.openedChecking(options.siteValue, open) : try open()
            keepUntilExit(session)
            session.namedDrops = named  // an archive an ingest of one of them left is theirs to finish
            session.refreshesDrafts = true
            if !dryRun { try session.repair() }
            var paths = Ingestor.namedInOrder(named)
            if files.isEmpty { (paths, undecodable) = Ingestor.inboxEntries(session.site) }
            if !dryRun && !paths.isEmpty { session.readAheadForDrafts() }
            let ingestor = Ingestor(session: session)
            ingestor.dryRun = dryRun
            // Ctrl-C, SIGTERM or SIGHUP stop the batch between drops, never inside one.
            if !dryRun { session.deferSignals() }
            let outcomes = try ingestor.ingest(paths, undecodable: undecodable)
            for o in outcomes where !json {
                if case .rejected(let name, let problems, _) = o {
                    print("\(SafeText.escaped(name)): \(dryRun ? "would be rejected" : "rejected")")
                    for p in problems { print("  \(p)") }
                } else if dryRun {
                    print(SafeText.escaped(o.summary(dryRun: true)))
                    // What the real run would warn of, said where a dry run's reader looks.
                    for n in ingestor.notices[o.name] ?? [] { print("  \(n.warning ? "warning" : "notice"): \(n.text)") }
                }
            }
            if json {
                // Each outcome with what it warned of (`warnings`, `notices`), when anything.
                printJSON(.array(outcomes.map { o in
                    guard let said = ingestor.notices[o.name], case .object(var members) = o.json else { return o.json }
                    let warnings = said.filter(\.warning).map { JSONValue.string($0.text) }
                    let notices = said.filter { !$0.warning }.map { JSONValue.string($0.text) }
                    if !warnings.isEmpty { members["warnings"] = .array(warnings) }
                    if !notices.isEmpty { members["notices"] = .array(notices) }
                    return .object(members)
                }))
            }
            // Under --json, standard output holds the one JSON value and nothing else.
            if outcomes.isEmpty && !json {
                // No Inbox folder at all is not an empty Inbox: whatever was meant to be dropped is not there.
                print(files.isEmpty ? UnlistedFolders.inboxUnseen(in: session.site).map { "nothing to ingest: \($0) and drop the files into it" }
                      ?? "nothing to ingest" : "nothing to ingest")
            }
            // A named file gone before its turn (a watcher took it while this command waited for
            // the site) was not ingested by this command, which cannot say what became of it: as
            // for a file that is not there, exit 1 — not 0, which would say it went in.
            let gone = files.isEmpty ? [] : outcomes.filter(\.wasGone)
            if !gone.isEmpty {
                let names = gone.map { SafeText.escaped($0.name) }.joined(separator: ", ")
                let message = "\(names): gone before this command read it (another recon command, a watcher say, took it, or it "
                    + "was moved away); `recon status` says whether it was accepted, held or rejected"
                options.log.error("\(message)")
                return max(outcomes.map(\.exitCode).max() ?? 0, 1)
            }
            if let signal = ingestor.stoppedBy {
                let taken = outcomes.count
                let message = "stopped by \(SignalHold.name(of: signal)) after \(taken == 1 ? "1 drop" : "\(taken) drops"), each said above "
                    + "as it was recorded, held or rejected; the rest are left where they were, and the open months' drafts are written "
                    + "by the next `recon ingest` (`recon status` says what waits)"
                options.log.error("\(message)")
                return 128 + signal
            }
            return outcomes.map(\.exitCode).max() ?? 0
        }
    }
}
